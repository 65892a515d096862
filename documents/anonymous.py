"""What an anonymous Duty to Notify keeps, field by field, and the notice built from it.

A Duty to Notify for someone who has not agreed to be named keeps what the Home Office's own
route keeps when the person declines a referral (UKHomeOffice/modern-slavery, apps/nrm: what
happened, where, where they are now as a town, who exploited them and how, other victims,
the police forces and crime reference, whether they will help the police, the first
responder) and, for the statistics, their gender, nationalities, languages and age group. It
leaves out everything else about who they are: name, other names, date of birth, photograph,
how to reach them, their references, where they were born, and whatever they did not agree
to share (`withheld`).

`RULE` is the one place this is decided. Every field of every model it names must be in it
(the system check `documents.E001` fails otherwise, and every part of the case record must
be named), so that a field added later is left out or kept on purpose, never by accident.
`notice` builds the pack's context from the kept fields alone, as plain values: it never
holds a model instance through which a template could reach the person.
"""

import enum
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases import models as cases
from cases.record import PARTS, summary
from referrals.models import Referral

from . import identifying, pdfs


class Kind(enum.StrEnum):
    """What a kept field is about: the consent-to-share register withholds by kind."""

    REFERRAL = "the referral"
    ABOUT = "about them"
    ACCOUNT = "what happened"
    PLACES = "where it happened"
    EXPLOITERS = "who exploited them"
    POLICE = "the police"
    OTHERS_AT_RISK = "others at risk"
    RISK = "risks"
    FIRST_RESPONDER = "the first responder"


class Text(enum.Enum):
    NONE = "a choice, date, number or name from our own lists"
    CHECKED = "free text, checked for anything that may identify them"
    # Someone else's phones and addresses are expected here (an exploiter's): only the
    # person's own details are looked for.
    OTHERS = "free text holding others' contact details, checked for the person's own"


@dataclass(frozen=True)
class Keep:
    kind: Kind
    text: Text = Text.NONE


OUT = None  # identifies them, or is not the notice's business: never in it
INTERNAL = "internal"  # a link between rows or a time stamp: never printed as content


def _keep(kind: Kind, *names: str, text: Text = Text.NONE) -> dict:
    return dict.fromkeys(names, Keep(kind, text))


def _out(*names: str) -> dict:
    return dict.fromkeys(names, OUT)


def _internal(*names: str) -> dict:
    return dict.fromkeys(names, INTERNAL)


CHECKED, OTHERS = Text.CHECKED, Text.OTHERS
RECORD_PART = ("case", "created_at", "updated_at")

RULE: dict[type, dict[str, Keep | str | None]] = {
    Referral: {
        **_keep(Kind.REFERRAL, "reference", "pathway", "status", "recipient", "named"),
        **_keep(Kind.REFERRAL, "competent_authority", "external_reference"),
        **_keep(Kind.REFERRAL, "created_at", "submitted_at"),
        **_keep(Kind.REFERRAL, "summary", text=CHECKED),
        **_internal("case", "created_by", "updated_at"),
    },
    cases.Person: {
        # Only the age group, worked out from the date of birth or estimate, is kept.
        **_out("reference", "name", "aliases", "date_of_birth", "estimated_age"),
        **_out("safe_contact", "distinguishing_features", "photo"),
        # Settled as an adult is why a Duty to Notify is possible at all; the notice says adult.
        **_out("age_settled_as", "age_settled_on", "assessed_date_of_birth"),
        **_keep(Kind.ABOUT, "age_disputed", "gender", "nationalities", "languages"),
        **_keep(Kind.ABOUT, "interpreter_needed", "interpreter_language"),
        **_internal("created_by", "created_at"),
    },
    cases.Concern: {
        **_keep(Kind.REFERRAL, "reference"),
        **_keep(Kind.ACCOUNT, "observed_at", "setting", "immediate_danger", "called_999_at"),
        **_keep(Kind.ACCOUNT, "exploitation_types", "county_lines"),
        **_keep(Kind.ACCOUNT, "observer_account", "persons_words", "accompanied_by", text=CHECKED),
        **_keep(Kind.FIRST_RESPONDER, "reporter", "team", "signposted_to"),
        # Where they were met is often where they live or work now; our triage notes are ours.
        **_out("location", "triage_reason"),
        **_internal("person", "status", "submitted_at", "triaged_by", "triaged_at", "case"),
    },
    cases.IndicatorObservation: {
        **_keep(Kind.ACCOUNT, "indicator", "answer"),
        **_keep(Kind.ACCOUNT, "note", text=CHECKED),
        **_internal("concern"),
    },
    cases.Addendum: {
        **_keep(Kind.ACCOUNT, "author", "created_at"),
        **_keep(Kind.ACCOUNT, "text", text=CHECKED),
        **_internal("concern"),
    },
    cases.ExploitationSituation: {
        **_keep(Kind.ACCOUNT, "started_on", "ended_on", "dates_approximate", "kinds"),
        **_keep(Kind.PLACES, "uk_places", "countries", text=CHECKED),
        **_keep(Kind.ACCOUNT, "how_it_started", "journey", "work_and_hours", text=CHECKED),
        **_keep(Kind.ACCOUNT, "living_conditions", "control", "how_it_ended", text=CHECKED),
        **_keep(Kind.ABOUT, "under_18_during"),
        **_internal(*RECORD_PART),
    },
    cases.WhereNow: {
        # How to reach them: the whole part. The Home Office's route asks only the town.
        **_out("where_now", "support_provider", "email", "email_safe", "postal_address"),
        **_out("post_safe", "phone", "phone_safe", "letter_to", "letter_contact"),
        **_internal(*RECORD_PART),
    },
    cases.Exploiter: {
        **_keep(Kind.EXPLOITERS, "gender"),
        **_keep(Kind.EXPLOITERS, "names", "nicknames", "nationality", "languages", text=CHECKED),
        **_keep(Kind.EXPLOITERS, "description", "relation", text=CHECKED),
        **_keep(Kind.EXPLOITERS, "where_now", "vehicles", "phones", "addresses", text=OTHERS),
        **_internal(*RECORD_PART),
    },
    cases.PoliceReport: {
        # The Home Office's route asks these before it asks whether the person declines.
        **_keep(Kind.POLICE, "reported", "cooperating"),
        **_keep(Kind.POLICE, "forces", "crime_reference", text=CHECKED),
        # The crime reference already lets the police find the report; the officer, the
        # statement and court dates are about the person's part in it (a listing names them).
        **_out("officer", "officer_contact", "statement", "court_dates"),
        **_internal(*RECORD_PART),
    },
    cases.Background: {
        **_out("place_of_birth", "home_office_reference", "home_office_reference_type"),
        # Asked on the support route only; earlier references would find the person.
        **_out("children", "dependants", "communication_help", "earlier_reports"),
        **_keep(Kind.OTHERS_AT_RISK, "other_victims", text=CHECKED),
        **_keep(Kind.ACCOUNT, "last_contact", "fears", text=CHECKED),
        **_internal(*RECORD_PART),
    },
    cases.FirstResponder: {
        # The first responder's own details, not the person's.
        **_keep(Kind.FIRST_RESPONDER, "name", "role", "organisation", "phone", text=OTHERS),
        **_keep(Kind.FIRST_RESPONDER, "email", "own_reference", "alternative_contact", text=OTHERS),
        **_keep(Kind.FIRST_RESPONDER, "local_authority_contacted_on"),
        **_keep(Kind.FIRST_RESPONDER, "local_authority", "local_authority_contact", text=OTHERS),
        **_internal(*RECORD_PART),
    },
    cases.Interview: {
        **_keep(Kind.ACCOUNT, "present", "judgement", "inconsistencies", text=CHECKED),
        **_internal(*RECORD_PART),
    },
    cases.RiskAssessment: {
        **_keep(Kind.RISK, "assessed_at", "assessed_by", "level", "community_safe"),
        **_keep(Kind.RISK, "family_risk", "public_funds", "review_on"),
        # Free text about where they sleep and who is a danger to them.
        **_out("summary"),
        **_internal("case"),
    },
}


def model_fields(model) -> list[str]:
    """The fields a row of `model` holds: its columns and its many-to-many choices."""
    return [
        f.name
        for f in model._meta.get_fields()
        if (f.concrete or f.many_to_many) and not f.auto_created
    ]


def undecided() -> list[str]:
    """Every field, and every part of the case record, the rule says nothing about."""
    missing = [
        f"{model._meta.label}.{name}"
        for model, rule in RULE.items()
        for name in model_fields(model)
        if name not in rule
    ]
    missing += [
        f"{part.form._meta.model._meta.label} (the case record's {slug!r} part)"
        for slug, part in PARTS.items()
        if part.form._meta.model not in RULE
    ]
    return missing


def withheld(case) -> frozenset[Kind]:
    """The kinds of information the person did not agree to share in a notice: left out as
    if the rule said so. The consent-to-share register answers this; until it does, none."""
    return frozenset()


# --- The notice -------------------------------------------------------------------------------


@dataclass
class Entry:
    """One value the notice prints, as the preview shows it: where it is, its question, and
    for free text, where it may identify the person."""

    section: str
    label: str
    text: str
    checked: Text = Text.NONE
    change_url: str = ""
    change_label: str = "Change"
    spans: list[identifying.Span] = field(default_factory=list)
    anchor: str = ""

    @property
    def reasons(self) -> list[str]:
        seen: list[str] = []
        for span in self.spans:
            seen += [r for r in span.reasons if r not in seen]
        return seen

    @property
    def marked(self) -> SafeString:
        """The text escaped, each place that may identify them in <mark>, lines kept."""
        parts, at = [], 0
        for span in self.spans:
            parts.append(escape(self.text[at : span.start]))
            parts.append(f"<mark>{escape(self.text[span.start : span.end])}</mark>")
            at = span.end
        parts.append(escape(self.text[at:]))
        return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 (escaped above)


@dataclass
class Notice:
    context: dict
    entries: list[Entry]

    @property
    def warnings(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.spans]


class _Builder:
    def __init__(self, referral: Referral):
        self.referral = referral
        self.case = referral.case
        self.withheld = withheld(self.case)
        self.entries: list[Entry] = []
        self.identity = _identity(self.case)

    def rule(self, model, name: str) -> Keep | None:
        rule = RULE[model][name]
        if isinstance(rule, Keep) and rule.kind not in self.withheld:
            return rule
        return None

    def kept(self, model, *names: str) -> bool:
        return all(self.rule(model, name) for name in names)

    def value(
        self,
        row,
        name: str,
        *,
        section: str,
        label: str,
        shown=None,
        change_url="",
        change_label="Change",
    ):
        """The field's value if the rule keeps it (None if not), noted for the preview."""
        rule = self.rule(type(row), name)
        if rule is None:
            return None
        raw = getattr(row, name)
        text = raw if shown is None else shown
        self.note(section, label, text, rule.text, change_url, change_label)
        return raw

    def note(self, section, label, text, checked=Text.NONE, change_url="", change_label="Change"):
        text = "" if text is None else str(text)
        entry = Entry(section, label, text, checked, change_url, change_label)
        if checked is not Text.NONE:
            entry.spans = identifying.find(text, self.identity, patterns=checked is Text.CHECKED)
            entry.anchor = f"text-{len(self.entries) + 1}"
        self.entries.append(entry)


def _identity(case) -> identifying.Identity:
    """What would identify this person, read here only to look for it in the kept text."""
    person = case.person
    where_now = case.where_now.first()
    background = case.background.first()
    return identifying.identity(
        names=[person.name, *person.aliases.split(",")],
        date_of_birth=person.date_of_birth,
        person_reference=person.reference,
        home_office_reference=background.home_office_reference if background else "",
        place_of_birth=background.place_of_birth if background else "",
        phones=[where_now.phone] if where_now else [],
        email=where_now.email if where_now else "",
        postal_address=where_now.postal_address if where_now else "",
    )


def _referral(b: _Builder) -> dict:
    referral, section = b.referral, "The referral"
    b.value(referral, "summary", section=section, label="What the receiving agency needs to know")
    recipient = b.rule(Referral, "recipient") and referral.recipient
    return {
        "reference": referral.reference,
        "pathway": referral.pathway,
        "is_anonymous": True,
        "recipient": {"name": recipient.name} if recipient else None,
        "competent_authority": referral.competent_authority,
        "get_competent_authority_display": referral.get_competent_authority_display(),
        "external_reference": referral.external_reference,
        "created_at": referral.created_at,
        "submitted_at": referral.submitted_at,
        "summary": referral.summary if b.rule(Referral, "summary") else "",
    }


def _about(b: _Builder, today) -> dict:
    person, section = b.case.person, "The person"
    about = {}
    if b.kept(cases.Person, "age_disputed"):
        about["age_group"] = pdfs._age_group(person, today)
        b.note(section, "Age group", about["age_group"])
    if b.kept(cases.Person, "gender"):
        about["gender"] = person.get_gender_display()
        b.note(section, "Gender", about["gender"])
    for name, label in (("nationalities", "Nationalities"), ("languages", "Languages")):
        about[name] = b.value(person, name, section=section, label=label)
    if b.kept(cases.Person, "interpreter_needed", "interpreter_language"):
        about["interpreter"] = (
            f"Needed ({person.interpreter_language})"
            if person.interpreter_needed and person.interpreter_language
            else "Needed"
            if person.interpreter_needed
            else "Not needed"
        )
        b.note(section, "Interpreter", about["interpreter"])
    return about


def _record(b: _Builder) -> list[dict]:
    case, sections = b.case, []
    for slug, part in PARTS.items():
        model = part.form._meta.model
        fields = [name for name in part.form._meta.fields if b.rule(model, name)]
        if not fields:
            continue  # a part the notice keeps nothing of is not in it at all
        items = []
        for n, row in enumerate(getattr(case, part.related_name).all(), start=1):
            title = part.title if part.single else f"{part.title} {n}"
            url = reverse("cases:case_record_edit", args=[case.reference, slug, row.pk])
            pairs = summary(row, fields=fields)
            for name, (question, answer) in zip(fields, pairs, strict=True):
                b.note(f"{part.heading}: {title}", question, answer, b.rule(model, name).text, url)
            items.append({"title": title, "summary": pairs})
        sections.append({"heading": part.heading, "items": items})
    return sections


def _concern(b: _Builder, concern) -> dict:
    section = f"Concern {concern.reference}"
    # A concern is never changed once submitted: its page is where a correction is added.
    url = reverse("cases:concern_detail", args=[concern.reference])
    see = "Open the concern"
    kept = {"reference": concern.reference}

    def value(name, label, shown=None):
        return b.value(
            concern,
            name,
            section=section,
            label=label,
            shown=shown,
            change_url=url,
            change_label=see,
        )

    kept["observed_at"] = value(
        "observed_at", "When", timezone.localtime(concern.observed_at).strftime("%-d %B %Y, %H:%M")
    )
    if b.rule(cases.Concern, "reporter"):
        kept["reporter"] = {"full_name": concern.reporter.full_name}
        kept["team"] = {"name": concern.team.name}
    kept["immediate_danger"] = value(
        "immediate_danger", "Immediate danger", "Yes" if concern.immediate_danger else "No"
    )
    kept["called_999_at"] = concern.called_999_at if kept["immediate_danger"] else None
    kept["observer_account"] = value(
        "observer_account", "What the practitioner saw, heard or was told"
    )
    kept["persons_words"] = value("persons_words", "The person's own words")
    kept["accompanied_by"] = value("accompanied_by", "Who was with them")
    addenda = []
    for addendum in concern.addenda.all():
        label = f"Added {timezone.localtime(addendum.created_at):%-d %B %Y, %H:%M}"
        text = b.value(
            addendum, "text", section=section, label=label, change_url=url, change_label=see
        )
        if text is not None:
            addenda.append(
                {
                    "created_at": addendum.created_at,
                    "author": {"full_name": addendum.author.full_name},
                    "text": text,
                }
            )
    indicators = []
    if b.kept(cases.IndicatorObservation, "indicator", "answer"):
        for group in pdfs._indicator_groups(concern):
            rows = []
            for observation in group["observations"]:
                label = f"Note on “{observation.indicator.text}”"
                note = b.value(
                    observation,
                    "note",
                    section=section,
                    label=label,
                    change_url=url,
                    change_label=see,
                )
                rows.append(
                    {
                        "indicator": {"text": observation.indicator.text},
                        "get_answer_display": observation.get_answer_display(),
                        "answer": observation.answer,
                        "note": note or "",
                    }
                )
            indicators.append({"label": group["label"], "observations": rows})
    return {
        "concern": {**kept, "addenda": {"all": addenda}},
        "indicators": indicators,
        "county_lines": bool(b.rule(cases.Concern, "county_lines") and concern.county_lines),
        "setting": concern.get_setting_display() if b.rule(cases.Concern, "setting") else "",
    }


def _risk(b: _Builder) -> dict | None:
    risk = b.case.risk_assessments.select_related("assessed_by").first()
    if risk is None or not b.kept(cases.RiskAssessment, "assessed_at", "level"):
        return None
    return {
        "assessed_at": risk.assessed_at,
        "assessed_by": {"full_name": risk.assessed_by.full_name},
        "community_safe": risk.community_safe,
        "family_risk": risk.family_risk,
        "public_funds": risk.public_funds,
        "review_on": risk.review_on,
    }


def notice(referral: Referral) -> Notice:
    """The anonymous notice: the pack's context from the kept fields alone, and every value
    in it for the preview, with where free text may identify the person."""
    b = _Builder(referral)
    case = b.case
    today, now = timezone.localdate(), timezone.now()
    child = case.person.may_be_child(today)
    concerns = list(pdfs._concerns(case))
    types = (
        pdfs._exploitation_types(concerns) if b.kept(cases.Concern, "exploitation_types") else []
    )
    context = {
        "referral": _referral(b),
        "pathway": referral.get_pathway_display(),
        "status": pdfs.machines.STATUS_LABELS.get(referral.status, referral.status),
        "anonymous": True,
        "child": child,
        "show_accounts": b.kept(cases.Concern, "observer_account"),
        "about": _about(b, today),
    }
    # In the order the pack prints them, so that the preview reads as the notice does.
    context["exploitation_types"] = [t.name for t in types]
    if types:
        b.note("Exploitation", "Suspected types", ", ".join(context["exploitation_types"]))
    context["county_lines"] = bool(b.rule(cases.Concern, "county_lines")) and any(
        c.county_lines for c in concerns
    )
    context["record"] = _record(b)
    context["concerns"] = [_concern(b, concern) for concern in concerns]
    context["consent"] = None
    context["consent_text"] = pdfs._consent_text(referral, None, child)
    context["risk"] = _risk(b)
    context["risk_level"] = (
        case.get_risk_level_display() if b.kept(cases.RiskAssessment, "level") else ""
    )
    context["decisions"] = [
        {
            "get_kind_display": d.get_kind_display(),
            "get_outcome_display": d.get_outcome_display(),
            "received_on": d.received_on,
        }
        for d in referral.decisions.all()
    ]
    context["transitions"] = [
        (
            {"at": step.at, "by": {"full_name": step.by.full_name}},
            pdfs.machines.STATUS_LABELS.get(step.to_status, step.to_status),
        )
        for step in referral.transitions.select_related("by")
    ]
    context["deadlines"] = [
        {
            "deadline": {
                "get_timer_display": row["deadline"].get_timer_display(),
                "due_at": row["deadline"].due_at,
            },
            "state": row["state"],
        }
        for row in pdfs._deadline_rows(referral.deadlines.all(), now)
    ]
    context["first_responder"] = pdfs._first_responder(referral)
    context["contacts"] = [
        {
            "name": organisation.name,
            "email": organisation.email,
            "phones": {
                "all": [
                    {"display": phone.display, "label": phone.label}
                    for phone in organisation.phones.all()
                ]
            },
        }
        for organisation in pdfs._contacts_involved(referral, concerns)
    ]
    return Notice(context, b.entries)
