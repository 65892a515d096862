"""vCard 4.0 (RFC 6350) for a directory entry or a person in one."""

from .models import Organisation, Person


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


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
        f'TEL;VALUE=uri;TYPE="voice";LABEL="{_escape(p.label or "phone")}":{p.tel}' for p in phones
    ]


def organisation_vcard(organisation: Organisation) -> str:
    lines = [f"FN:{_escape(organisation.name)}", "KIND:org", f"ORG:{_escape(organisation.name)}"]
    lines += _phone_lines(organisation.phones.all())
    if organisation.email:
        lines.append(f"EMAIL:{_escape(organisation.email)}")
    if organisation.website:
        lines.append(f"URL:{organisation.website}")
    if organisation.address:
        lines.append(f'ADR;LABEL="{_escape(organisation.address)}":;;;;;;')
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
