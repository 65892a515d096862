"""Everything the organisation holds about a person, as sections of records for the bundle, and
the pieces of it that are other people's information (marked for a redaction decision).

Records are read field by field from each model's own definition, so that a field added to a
record later is in the bundle without anyone remembering to add it here; only what is no one's
information (keys, digests, reminder bookkeeping) is left out.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from cases.models import Case, Concern, Person, PersonMerge
from safeguard.models import User

from .models import Kind

REDACTED = "[redacted]"

# Bookkeeping that says nothing about anyone.
SKIP_FIELDS = frozenset(
    {
        "id",
        "sha256",
        "next_reminder_at",
        "next_stage",
        "next_sequence",
        "password_protected",
        "recorded_before_questions",
        "normalised",
        "updated_at",
    }
)

# Fields that hold other people's information (DOMAIN.md "Data protection": exploiters,
# companions, other victims; and the names of staff and other agencies' officers).
THIRD_PARTY: dict[str, dict[str, str]] = {
    "cases.exploiter": {
        name: Kind.EXPLOITER
        for name in (
            "names",
            "nicknames",
            "nationality",
            "languages",
            "description",
            "where_now",
            "relation",
            "vehicles",
            "phones",
            "addresses",
        )
    },
    "cases.concern": {"accompanied_by": Kind.COMPANION},
    "cases.background": {"other_victims": Kind.OTHER_VICTIM, "dependants": Kind.OTHER_PERSON},
    "cases.interview": {"present": Kind.OTHER_PERSON},
    "cases.policereport": {"officer": Kind.STAFF, "officer_contact": Kind.STAFF},
    "cases.firstresponder": {
        "name": Kind.STAFF,
        "phone": Kind.STAFF,
        "email": Kind.STAFF,
        "alternative_contact": Kind.STAFF,
    },
    "referrals.consent": {"interpreter": Kind.OTHER_PERSON, "witnessed_by": Kind.OTHER_PERSON},
    "cases.wherenow": {"letter_contact": Kind.OTHER_PERSON},
}

USER_MODEL = "safeguard.user"


@dataclass
class Row:
    label: str
    value: str
    source: tuple[str, str, str] | None = None  # (model, id, field) when marked


@dataclass
class Record:
    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Section:
    title: str
    records: list[Record] = field(default_factory=list)


@dataclass(frozen=True)
class Mark:
    kind: str
    label: str
    source_model: str
    source_id: str
    field: str


@dataclass(frozen=True)
class File:
    """A file of the person's records: where it is kept and what it is called in the zip."""

    source_model: str
    source_id: str
    field: str
    storage_name: str
    archive_name: str
    label: str


@dataclass
class Collected:
    sections: list[Section]
    marks: list[Mark]
    files: list[File]

    @property
    def record_count(self) -> int:
        return sum(len(s.records) for s in self.sections)


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%-d %B %Y, %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


class _Collector:
    def __init__(self):
        self.marks: dict[tuple, Mark] = {}
        self.files: list[File] = []

    def mark(self, kind, label, model, pk, name) -> tuple[str, str, str]:
        key = (model, str(pk), name)
        self.marks.setdefault(key, Mark(str(kind), label, model, str(pk), name))
        return key

    def staff(self, user: User) -> tuple[str, str, str]:
        return self.mark(Kind.STAFF, "A member of staff's name", USER_MODEL, user.pk, "full_name")

    def record(self, obj: models.Model, title: str, *, skip=()) -> Record:
        model = _label(type(obj))
        third = THIRD_PARTY.get(model, {})
        rows = []
        for f in obj._meta.concrete_fields:
            if f.name in SKIP_FIELDS or f.name in skip:
                continue
            label = str(f.verbose_name).capitalize()
            if isinstance(f, models.FileField):
                value = getattr(obj, f.name)
                if value:
                    self.file(obj, f.name, value.name, title)
                    rows.append(Row(label, "Included in the archive as a file"))
                continue
            if f.is_relation:
                related = getattr(obj, f.name)
                if related is None:
                    continue
                if isinstance(related, User):
                    rows.append(Row(label, related.full_name, self.staff(related)))
                elif _label(type(related)) in (
                    "cases.person",
                    "cases.case",
                    "cases.concern",
                    "referrals.referral",
                ):
                    rows.append(Row(label, getattr(related, "reference", str(related))))
                else:
                    rows.append(Row(label, str(related)))
                continue
            display = f"get_{f.name}_display"
            value = getattr(obj, display)() if f.choices else getattr(obj, f.name)
            text = _text(value)
            if not text:
                continue
            source = None
            if f.name in third:
                source = self.mark(third[f.name], f"{title}: {label}", model, obj.pk, f.name)
            rows.append(Row(label, text, source))
        return Record(title, rows)

    def file(self, obj, name, storage_name, title) -> None:
        extension = storage_name.rsplit(".", 1)[-1].lower() if "." in storage_name else "bin"
        number = len(self.files) + 1
        archive_name = f"files/{number:03d}-{_label(type(obj)).split('.')[1]}.{extension}"
        label = f"{title}: file {number}"
        self.files.append(
            File(_label(type(obj)), str(obj.pk), name, storage_name, archive_name, label)
        )
        self.mark(Kind.FILE, label, _label(type(obj)), obj.pk, name)


def _case_parts(case: Case):
    """The case record's parts and what hangs off the case, in the order a reader expects."""
    from referrals.models import Consent, ConsentToShare, Referral

    yield "Chronology", [(e, f"Chronology entry: {e.title}") for e in case.chronology.all()]
    for related, title in (
        ("situations", "Exploitation situation"),
        ("exploiters", "Someone who exploited them"),
        ("police_reports", "Police"),
        ("where_now", "Where they are now"),
        ("background", "Background"),
        ("first_responder", "First responder"),
        ("interview", "Interview"),
    ):
        rows = list(getattr(case, related).all())
        yield title, [(row, f"{title} {n}") for n, row in enumerate(rows, 1)]
    yield "Support plan", [(n, f"Support task: {n.need}") for n in case.support_needs.all()]
    yield (
        "Support plan agreements",
        [(a, "Support plan agreement") for a in case.plan_agreements.all()],
    )
    yield "Risk", [(r, f"Risk assessment {r}") for r in case.risk_assessments.all()]
    yield (
        "Consent to share",
        [(c, "Agreement to share") for c in ConsentToShare.objects.filter(case=case)],
    )
    for referral in Referral.objects.filter(case=case).order_by("created_at"):
        rows = [(referral, f"Referral {referral.reference}")]
        consent = Consent.objects.filter(referral=referral).first()
        if consent is not None:
            rows.append((consent, f"Consent for referral {referral.reference}"))
        rows += [(d, f"Decision on {referral.reference}") for d in referral.decisions.all()]
        rows += [(t, f"Step of {referral.reference}") for t in referral.transitions.all()]
        yield f"Referral {referral.reference}", rows
    yield (
        "Documents",
        [(d, f"Document: {d.get_kind_display()}") for d in case.evidence_documents.all()],
    )


def collect(person: Person) -> Collected:
    """The person's records, sections in order: the person, their concerns, each case."""
    c = _Collector()
    sections = [Section("About them", [c.record(person, f"Person {person.reference}")])]
    sections[0].records += [
        c.record(a, "Age assessment") for a in person.age_assessments.all().order_by("id")
    ]
    # Records of them merged into this one (cases.PersonMerge): what those held is theirs too.
    for merge in PersonMerge.objects.filter(survivor=person).select_related("merged"):
        merged = merge.merged
        sections[0].records += [
            c.record(merged, f"Person {merged.reference}, merged into {person.reference}"),
            c.record(merge, f"Merge of {merged.reference} into {person.reference}"),
            *(
                c.record(a, f"Age assessment (recorded on {merged.reference})")
                for a in merged.age_assessments.all().order_by("id")
            ),
        ]
    concerns = Section("Concerns")
    for concern in Concern.objects.filter(person=person).order_by("submitted_at"):
        title = f"Concern {concern.reference}"
        record = c.record(concern, title)
        kinds = ", ".join(str(t) for t in concern.exploitation_types.all())
        if kinds:
            record.rows.append(Row("Kinds of exploitation suspected", kinds))
        for observation in concern.observations.select_related("indicator"):
            text = observation.get_answer_display()
            if observation.note:
                text += f": {observation.note}"
            record.rows.append(Row(f"Indicator: {observation.indicator}", text))
        for addendum in concern.addenda.select_related("author"):
            record.rows.append(
                Row(
                    f"Addendum, {_text(addendum.created_at)}, by {addendum.author.full_name}",
                    addendum.text,
                    None,
                )
            )
            c.staff(addendum.author)
        concerns.records.append(record)
    sections.append(concerns)
    for case in Case.objects.filter(person=person).order_by("opened_at", "id"):
        sections.append(
            Section(f"Case {case.reference}", [c.record(case, f"Case {case.reference}")])
        )
        for title, rows in _case_parts(case):
            if rows:
                sections.append(
                    Section(f"{title} (case {case.reference})", [c.record(o, t) for o, t in rows])
                )
    return Collected(sections, list(c.marks.values()), c.files)


def source_value(source_model: str, source_id: str, name: str) -> str:
    """The current value a mark points at ("" if the row has gone)."""
    from django.apps import apps

    model = apps.get_model(source_model)
    obj = model._default_manager.filter(pk=source_id).first()
    if obj is None:
        return ""
    return _text(getattr(obj, name))


# Pieces shorter than this are not searched for elsewhere in the text: "Al" would eat words.
MIN_TERM = 3


def terms_of(value: str) -> list[str]:
    """A redacted value and its parts (names listed with commas or one a line), longest first,
    so that each is also taken out wherever the text mentions it (an account naming him)."""
    parts = {value.strip(), *(p.strip() for p in re.split(r"[,\n;]", value))}
    return sorted((p for p in parts if len(p) >= MIN_TERM), key=len, reverse=True)


def redactor(terms: list[str]):
    """A function taking every term out of a text, whatever its case."""
    if not terms:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    return lambda text: pattern.sub(REDACTED, text)
