"""Build a subject access bundle: the PDF of every record, with the redactions applied, and the
files released, in one zip archive."""

import io
import zipfile
from dataclasses import dataclass

from safeguard import pdf
from safeguard.models import OrganisationSettings

from . import collect
from .models import Bundle, Decision, RedactionItem

PDF_NAME = "records.pdf"


@dataclass(frozen=True)
class Built:
    content: bytes
    records: int
    files: int
    redacted: int


def _redacted_terms(items: list[RedactionItem]) -> list[str]:
    terms: list[str] = []
    for item in items:
        if item.decision != Decision.RELEASE and item.kind != "file":
            terms += collect.terms_of(
                collect.source_value(item.source_model, item.source_id, item.field)
            )
    return sorted(set(terms), key=len, reverse=True)


def build(bundle: Bundle) -> Built:
    """The zip for `bundle`. Undecided items are redacted, like those decided so: nothing is
    released by default; a file goes in only once someone has decided to release it."""
    sar = bundle.request
    collected = collect.collect(sar.person)
    items = list(RedactionItem.objects.filter(request=sar))
    decided = {(i.source_model, i.source_id, i.field): i.decision for i in items}
    withheld = {key for key, decision in decided.items() if decision != Decision.RELEASE}
    scrub = collect.redactor(_redacted_terms(items))
    redacted = 0
    for section in collected.sections:
        section.title = scrub(section.title)
        for record in section.records:
            record.title = scrub(record.title)
            for row in record.rows:
                if row.source is not None and row.source in withheld:
                    row.value = collect.REDACTED
                    redacted += 1
                else:
                    row.value = scrub(row.value)
                row.label = scrub(row.label)
    files = [
        {
            "label": scrub(f.label),
            "archive_name": f.archive_name,
            "included": decided.get((f.source_model, f.source_id, f.field)) == Decision.RELEASE,
            "file": f,
        }
        for f in collected.files
    ]
    organisation = OrganisationSettings.load()
    content = pdf.render_pdf(
        "pdf/subject_access_bundle.html",
        {
            "sections": collected.sections,
            "files": files,
            "undecided": sum(1 for i in items if not i.decision),
            "reference": sar.reference,
            "received_on": sar.received_on,
            "organisation_name": organisation.name,
        },
        marking=pdf.Marking(
            title="Your records: subject access",
            reference=sar.reference,
            generated_by=organisation.name,
        ),
    )
    from cases.models import Person

    storage = Person._meta.get_field("photo").storage
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PDF_NAME, content)
        for entry in files:
            if entry["included"]:
                with storage.open(entry["file"].storage_name, "rb") as handle:
                    archive.writestr(entry["archive_name"], handle.read())
    return Built(
        out.getvalue(),
        records=collected.record_count,
        files=sum(1 for f in files if f["included"]),
        redacted=redacted,
    )
