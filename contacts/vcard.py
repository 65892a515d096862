"""vCard 4.0 (RFC 6350) for a directory entry or a person in one."""

import re

from .models import Organisation, Person

# Control characters other than tab have no place in a vCard; line breaks are handled first.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F])
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def _escape(value: str) -> str:
    """A text value (RFC 6350 3.4): backslash, comma and semicolon escaped, and every line
    break (CR LF, a lone CR or a lone LF) written as \\n, so that none can start a property."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return _LINE_BREAKS.sub(r"\\n", value).translate(_CONTROLS)


def _param(value: str) -> str:
    """A quoted parameter value, in the caret encoding of RFC 6868 (which updates RFC 6350):
    ^ as ^^, a line break as ^n and a double quote as ^', so the quotes cannot be closed early."""
    value = value.replace("^", "^^").replace('"', "^'")
    return '"' + _LINE_BREAKS.sub("^n", value).translate(_CONTROLS) + '"'


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def _card(lines: list[str]) -> str:
    body = ["BEGIN:VCARD", "VERSION:4.0", *lines, "END:VCARD"]
    return "".join(_fold(line) + "\r\n" for line in body)


def _phone_lines(phones) -> list[str]:
    return [
        f'TEL;VALUE=uri;TYPE="voice";LABEL={_param(p.label or "phone")}:{p.tel}' for p in phones
    ]


def organisation_vcard(organisation: Organisation) -> str:
    lines = [f"FN:{_escape(organisation.name)}", "KIND:org", f"ORG:{_escape(organisation.name)}"]
    lines += _phone_lines(organisation.phones.all())
    if organisation.email:
        lines.append(f"EMAIL:{_escape(organisation.email)}")
    if organisation.website:
        lines.append(f"URL:{organisation.website.translate(_CONTROLS)}")
    if organisation.address:
        # The whole address as the label and as the street, for clients that ignore labels.
        address = organisation.address
        lines.append(f"ADR;LABEL={_param(address)}:;;{_escape(address)};;;;")
    note = " ".join(filter(None, [organisation.summary, organisation.hours_note]))
    if note:
        lines.append(f"NOTE:{_escape(note)}")
    return _card(lines)


def person_vcard(person: Person) -> str:
    lines = [f"FN:{_escape(person.name)}", f"ORG:{_escape(person.organisation.name)}"]
    if person.job_title:
        lines.append(f"TITLE:{_escape(person.job_title)}")
    lines += _phone_lines(person.phones.all())
    if person.email:
        lines.append(f"EMAIL:{_escape(person.email)}")
    return _card(lines)
