"""The documents a lead hands to another agency: what each carries, and rendering it.

Each `*_pdf` function takes records the caller has already fetched through the access policy
and returns the PDF's bytes; views (documents.views) and the Celery task for long
chronologies (documents.tasks.render_chronology) call them. Reads are gathered here, with
their relations fetched up front, so that a pack with many concerns costs a few queries.

A Duty to Notify for someone who has not agreed to be named is anonymous: its pack is built
by documents.anonymous from the fields its rule keeps, as plain values, rather than by hiding
the others in the template, so that no later template change can print what was never passed.
"""

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Prefetch
from django.utils import timezone

from cases import photos
from cases.defence import defence_notice
from cases.models import (
    Addendum,
    Answer,
    Case,
    ChronologyEntry,
    Concern,
    IndicatorGroup,
    IndicatorObservation,
    LinkKind,
    SupportNeed,
)
from contacts.models import Organisation
from referrals import consent as sharing
from referrals import deadlines, help, machines
from referrals.models import Consent, Referral
from referrals.readiness import referral_readiness
from safeguard import pdf
from safeguard.choices import Pathway
from safeguard.dates import uk_day_bounds
from safeguard.models import OrganisationSettings

from . import anonymous

GROUP_LABELS = dict(IndicatorGroup.choices)
PHOTO = "photo"


def _concerns(case: Case):
    return (
        Concern.objects.filter(case=case)
        .select_related("reporter", "team", "signposted_to")
        .prefetch_related(
            "exploitation_types",
            "links",
            Prefetch("addenda", queryset=Addendum.objects.select_related("author")),
            Prefetch(
                "observations",
                queryset=IndicatorObservation.objects.select_related("indicator").order_by(
                    "indicator__group", "indicator__order", "indicator__code"
                ),
            ),
        )
        .order_by("observed_at")
    )


def _indicator_groups(concern: Concern) -> list[dict]:
    """The answers "seen" and "not sure", grouped as on the checklist."""
    seen = [o for o in concern.observations.all() if o.answer != Answer.NOT_OBSERVED]
    return [
        {"label": GROUP_LABELS.get(group, group), "observations": list(rows)}
        for group, rows in groupby(seen, key=lambda o: o.indicator.group)
    ]


def _exploitation_types(concerns) -> list:
    """Every type any of the concerns names, once, in the checklist's order."""
    return sorted({t for c in concerns for t in c.exploitation_types.all()}, key=lambda t: t.order)


def _age_text(person, on: dt.date) -> str:
    if person.assessed_date_of_birth:
        born = person.assessed_date_of_birth
        text = f"Assessed date of birth {born:%-d %B %Y} (age {person.age_on(on)})"
    elif person.date_of_birth:
        text = f"Born {person.date_of_birth:%-d %B %Y} (age {person.age_on(on)})"
    elif person.estimated_age is not None:
        text = f"About {person.estimated_age} (estimated; date of birth not known)"
    else:
        text = "Not known"
    if person.age_settled_as:
        text += f". Age disputed; {person.age_settled_text}"
    elif person.age_disputed:
        text += ". Age disputed: treated as a child until it is settled"
    return text


def _consent_text(referral: Referral, consent: Consent | None, child: bool) -> str:
    """Why there is (or need not be) a consent record, for the receiving agency."""
    if referral.pathway == Pathway.DUTY_TO_NOTIFY:
        return (
            "A Duty to Notify needs no consent. The person agreed to be named."
            if referral.named
            else "A Duty to Notify needs no consent. The person did not agree to be named, so "
            "this notification leaves out everything that would identify them."
        )
    if child:
        return (
            "No consent is needed: the person may be under 18, and a child is referred without it."
        )
    if referral.pathway == Pathway.NRM:
        return "" if consent else "No consent has been recorded yet."
    return "Consent is not recorded for this pathway."


def _age_group(person, on: dt.date) -> str:
    age = person.age_on(on)
    if person.age_dispute_open:
        return "Age disputed (treated as a child)"
    if age is None:
        return "Not known"
    return "Child (under 18)" if age < 18 else "Adult (18 or over)"


def _first_responder(referral: Referral) -> dict:
    organisation = OrganisationSettings.load()
    lead = referral.case.lead
    return {
        "organisation": organisation.name,
        "is_first_responder": organisation.is_first_responder,
        "lead": lead.full_name,
        "job_title": lead.job_title,
        "email": lead.email,
        "team": referral.case.team.name,
    }


def _contacts_involved(referral: Referral, concerns) -> list[Organisation]:
    ids = {referral.recipient_id} | {c.signposted_to_id for c in concerns}
    ids.discard(None)
    return list(Organisation.objects.filter(pk__in=ids).prefetch_related("phones").order_by("name"))


def _deadline_rows(queryset, now) -> list[dict]:
    rows = []
    for deadline in queryset.order_by("due_at"):
        if deadline.satisfied_at and deadline.is_period:
            # A support period ends; it is not "met" (issue 18, item 6).
            when = timezone.localtime(deadline.satisfied_at)
            state = f"Ended {when:%-d %B %Y}: {deadline.satisfied_by}"
        elif deadline.satisfied_at:
            state = f"Met {timezone.localtime(deadline.satisfied_at):%-d %B %Y}"
        elif deadline.cancelled_at:
            state = "No longer needed"
        else:
            state = deadlines.describe_remaining(deadline.due_at, now)
        rows.append({"deadline": deadline, "state": state})
    return rows


def referral_pack_context(referral: Referral) -> dict:
    if referral.is_anonymous:
        # Built from the fields documents.anonymous.RULE keeps, as plain values.
        return anonymous.notice(referral).context
    case = referral.case
    person = case.person
    today = timezone.localdate()
    now = timezone.now()
    child = person.may_be_child(today)
    concerns = list(_concerns(case))
    consent = Consent.objects.filter(referral=referral).select_related("recorded_by").first()
    risk = case.risk_assessments.select_related("assessed_by").first()
    organisation = OrganisationSettings.load()
    organisation_nation = organisation.nation
    context = {
        "privacy_notice": organisation.privacy_notice,
        "organisation_name": organisation.name,
        "referral": referral,
        "case": case,
        "pathway": referral.get_pathway_display(),
        "status": machines.STATUS_LABELS.get(referral.status, referral.status),
        "anonymous": False,
        "child": child,
        "show_accounts": True,
        # The Home Office form's sections in its order (referrals.readiness), as "check your
        # answers" shows them.
        "sections": referral_readiness(referral).sections,
        "concerns": [
            {
                "concern": concern,
                "indicators": _indicator_groups(concern),
                "county_lines": concern.county_lines,
                "setting": concern.get_setting_display(),
            }
            for concern in concerns
        ],
        "exploitation_types": _exploitation_types(concerns),
        "county_lines": any(c.county_lines for c in concerns),
        "consent": consent,
        "consent_text": _consent_text(referral, consent, child),
        "risk": risk,
        "risk_level": case.get_risk_level_display(),
        "decisions": list(
            referral.decisions.select_related("recorded_by", "revises", "revised_by")
        ),
        "outcome_notice": help.outcome_notice(referral.status, organisation_nation),
        "defence": defence_notice(concerns=concerns, child=child, nation=organisation_nation),
        "transitions": [
            (step, machines.STATUS_LABELS.get(step.to_status, step.to_status))
            for step in referral.transitions.select_related("by")
        ],
        "deadlines": _deadline_rows(referral.deadlines.all(), now),
        "contacts": _contacts_involved(referral, concerns),
        "sharing": sharing.pack_context(referral, _contacts_involved(referral, concerns)),
    }
    context["person"] = {
        "name": person.display_name,
        "aliases": person.aliases,
        "age": _age_text(person, today),
        "safe_contact": person.safe_contact,
        "distinguishing_features": person.distinguishing_features,
        "reference": person.reference,
    }
    context["support_needs"] = list(
        SupportNeed.objects.filter(case=case).exclude(status=SupportNeed.Status.DONE)
    )
    context["evidence"] = list(case.evidence_documents.all())
    return context


def referral_pack_pdf(referral: Referral, *, generated_by) -> bytes:
    # An anonymous notice is its own document, built from documents.anonymous.RULE's context;
    # the named pack follows the Home Office form's sections (referrals.readiness).
    return pdf.render_pdf(
        "pdf/anonymous_notice.html" if referral.is_anonymous else "pdf/referral_pack.html",
        referral_pack_context(referral),
        marking=pdf.Marking(
            title=f"{referral.get_pathway_display()}: referral pack",
            reference=f"Case {referral.case.reference}, referral {referral.reference}",
            generated_by=generated_by.full_name,
        ),
    )


# --- Missing person sheet ----------------------------------------------------------------------


@dataclass(frozen=True)
class LastSeen:
    at: dt.datetime | None
    where: str
    description: str


def missing_person_context(case: Case, last_seen: LastSeen) -> dict:
    person = case.person
    today = timezone.localdate()
    concerns = list(
        Concern.objects.filter(case=case)
        .prefetch_related("links", "exploitation_types")
        .order_by("-observed_at")
    )
    links = [link for concern in concerns for link in concern.links.all()]

    def values(kind: str) -> list[str]:
        return sorted({link.value for link in links if link.kind == kind})

    associates = values(LinkKind.EXPLOITER)
    associates += sorted({c.accompanied_by for c in concerns if c.accompanied_by})
    latest = concerns[0] if concerns else None
    return {
        "case": case,
        "person": person,
        "name": person.display_name,
        "age": _age_text(person, today),
        "has_photo": bool(person.photo),
        "photo_url": pdf.attachment_url(PHOTO),
        "last_seen": last_seen,
        "last_recorded": latest,
        "associates": associates,
        "vehicles": values(LinkKind.VEHICLE),
        "phones": values(LinkKind.PHONE),
        "addresses": values(LinkKind.ADDRESS),
        "exploitation_types": _exploitation_types(concerns),
        "risk": case.risk_assessments.first(),
        "risk_level": case.get_risk_level_display(),
        "child": person.may_be_child(today),
        "lead": case.lead,
    }


def missing_person_pdf(case: Case, last_seen: LastSeen, *, generated_by) -> bytes:
    attachments = {}
    photo = photos.open_photo(case.person)
    if photo is not None:
        with photo:
            attachments[PHOTO] = pdf.Attachment(photo.read(), photos.CONTENT_TYPE)
    return pdf.render_pdf(
        "pdf/missing_person.html",
        missing_person_context(case, last_seen),
        marking=pdf.Marking(
            title="Missing person: information for the police",
            reference=f"Case {case.reference}",
            generated_by=generated_by.full_name,
        ),
        attachments=attachments,
    )


# --- Chronology --------------------------------------------------------------------------------


def chronology_entries(case: Case, date_from: dt.date | None, date_to: dt.date | None):
    """The case's chronology between two local dates (both included), oldest first."""
    start, end = uk_day_bounds(date_from, date_to)
    entries = ChronologyEntry.objects.filter(case=case)
    if start:
        entries = entries.filter(at__gte=start)
    if end:
        entries = entries.filter(at__lt=end)
    return entries.select_related("author").order_by("at", "id")


def chronology_pdf(
    case: Case, date_from: dt.date | None, date_to: dt.date | None, *, generated_by
) -> bytes:
    entries = list(chronology_entries(case, date_from, date_to))
    return pdf.render_pdf(
        "pdf/chronology.html",
        {
            "case": case,
            "entries": entries,
            "date_from": date_from,
            "date_to": date_to,
        },
        marking=pdf.Marking(
            title="Case chronology",
            reference=f"Case {case.reference}",
            generated_by=generated_by.full_name,
        ),
    )
