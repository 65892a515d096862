"""The sharing register: what the person agreed may be shared, with whom, and its withdrawal.

Agreements are about the person, so they sit on the case and outlive any one referral. An
agreement is never deleted: withdrawing it records the date on it, and the database holds
that a withdrawal comes on or after the agreement and that only one agreement for the same
thing with the same organisation is current at a time.

`may_share` is the one question other code asks ("may this case's `what` go to that
organisation?"): the referral page, the referral pack and the documents ask it. A child is
safeguarded without their consent, and a Duty to Notify needs none, so neither is warned.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cases.models import Case
from cases.services import chronology_add
from contacts.models import Organisation
from safeguard import audit, dates
from safeguard.choices import Pathway
from safeguard.dates import When

from .models import ConsentToShare, Referral, SharingWhat

ALREADY_CURRENT = (
    "They already have a current agreement to share this with that organisation. Withdraw it "
    "first if it has changed"
)
ALREADY_WITHDRAWN = "This agreement was already withdrawn"
WITHDRAWN_BEFORE = "The date they withdrew it must be on or after the date they agreed"


def _current(case: Case):
    return ConsentToShare.objects.filter(case=case, withdrawn_on__isnull=True)


def _with(organisation: Organisation) -> Q:
    # An agreement typed by name before the organisation was in the directory counts too.
    return Q(organisation=organisation) | Q(
        organisation__isnull=True, organisation_name__iexact=organisation.name
    )


def needs_agreement(case: Case, *, pathway: str | None = None) -> bool:
    """Whether sharing this case's record needs the person's agreement: not for a child
    (treated as one until their age is settled), nor for a Duty to Notify."""
    if pathway == Pathway.DUTY_TO_NOTIFY:
        return False
    return not case.person.may_be_child()


def may_share(case: Case, organisation: Organisation, what: str = SharingWhat.RECORD) -> bool:
    """Whether this case's `what` may go to `organisation`: a current agreement says so, or
    none is needed (a child)."""
    if not needs_agreement(case):
        return True
    return _current(case).filter(_with(organisation), what=what).exists()


def organisations_without_agreement(
    case: Case, organisations, what: str = SharingWhat.RECORD
) -> set[int]:
    """The ids of those of `organisations` that `what` may not go to, in one query."""
    if not needs_agreement(case):
        return set()
    agreed = list(
        _current(case).filter(what=what).values_list("organisation_id", "organisation_name")
    )
    ids = {pk for pk, _ in agreed if pk}
    names = {name.casefold() for pk, name in agreed if not pk}
    return {o.pk for o in organisations if o.pk not in ids and o.name.casefold() not in names}


def referral_sharing_warning(referral: Referral) -> str:
    """What the referral page says when its recipient has no current agreement ('' if none is
    needed or there is one)."""
    if referral.recipient is None or not needs_agreement(referral.case, pathway=referral.pathway):
        return ""
    if may_share(referral.case, referral.recipient, SharingWhat.RECORD):
        return ""
    withdrawn = (
        ConsentToShare.objects.filter(case=referral.case, what=SharingWhat.RECORD)
        .filter(_with(referral.recipient))
        .exclude(withdrawn_on__isnull=True)
        .order_by("-withdrawn_on")
        .first()
    )
    name = referral.recipient.name
    if withdrawn is not None:
        return (
            f"They withdrew their agreement to share their record with {name} on "
            f"{withdrawn.withdrawn_on:%-d %B %Y}. Do not send it unless they agree again: record "
            "that in the sharing register."
        )
    return (
        f"There is no current agreement to share their record with {name}. Ask them, and "
        "record their answer in the sharing register, before sending it."
    )


def register(case: Case) -> dict:
    """The case's agreements, current and withdrawn, for its page and the referral pack."""
    rows = list(
        ConsentToShare.objects.filter(case=case).select_related(
            "organisation", "recorded_by", "withdrawn_recorded_by"
        )
    )
    return {
        "current": [row for row in rows if row.is_current],
        "withdrawn": [row for row in rows if not row.is_current],
    }


def _locked_case(case: Case) -> Case:
    # Two leads recording the same agreement at once: the second waits, then is refused.
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def consent_to_share_add(
    *,
    request,
    case: Case,
    what: str,
    what_other: str = "",
    organisation: Organisation | None = None,
    organisation_name: str = "",
    agreed_on: dt.date,
    note: str = "",
) -> ConsentToShare:
    _locked_case(case)
    if (organisation is None) == (not organisation_name.strip()):
        raise ValidationError(
            {"organisation": "Choose the organisation from the directory, or type its name"}
        )
    if what == SharingWhat.OTHER and not what_other.strip():
        raise ValidationError({"what_other": "Enter what else they agreed may be shared"})
    dates.check(agreed_on=(agreed_on, When.HAPPENED))
    agreement = ConsentToShare(
        case=case,
        what=what,
        what_other=what_other.strip() if what == SharingWhat.OTHER else "",
        organisation=organisation,
        organisation_name="" if organisation else organisation_name.strip(),
        agreed_on=agreed_on,
        note=note.strip(),
        recorded_by=request.user,
    )
    agreement.full_clean(
        exclude=["case", "organisation", "recorded_by"], validate_constraints=False
    )
    duplicate = _current(case).filter(what=agreement.what, what_other=agreement.what_other)
    duplicate = (
        duplicate.filter(_with(organisation))
        if organisation
        else duplicate.filter(
            organisation__isnull=True, organisation_name__iexact=agreement.organisation_name
        )
    )
    if duplicate.exists():
        raise ValidationError({"organisation": ALREADY_CURRENT})
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError:
        raise ValidationError({"organisation": ALREADY_CURRENT}) from None
    chronology_add(
        case=case,
        author=request.user,
        title="Agreement to share recorded",
        text=f"{agreement.what_text} with {agreement.with_whom}, agreed {agreed_on:%-d %B %Y}.",
    )
    audit.record(
        request,
        action=audit.Action.CREATE,
        obj=agreement,
        reference=case.reference,
        detail="consent to share",
    )
    return agreement


@transaction.atomic
def consent_to_share_withdraw(
    *, request, agreement: ConsentToShare, withdrawn_on: dt.date, note: str = ""
) -> ConsentToShare:
    agreement = (
        ConsentToShare.objects.select_for_update(of=("self",))
        .select_related("case", "organisation")
        .get(pk=agreement.pk)
    )
    if agreement.withdrawn_on is not None:
        raise ValidationError(ALREADY_WITHDRAWN)
    dates.check(withdrawn_on=(withdrawn_on, When.HAPPENED))
    if withdrawn_on < agreement.agreed_on:
        raise ValidationError({"withdrawn_on": WITHDRAWN_BEFORE})
    agreement.withdrawn_on = withdrawn_on
    agreement.withdrawn_note = note.strip()
    agreement.withdrawn_recorded_by = request.user
    agreement.withdrawn_recorded_at = timezone.now()
    agreement.save(
        update_fields=[
            "withdrawn_on",
            "withdrawn_note",
            "withdrawn_recorded_by",
            "withdrawn_recorded_at",
        ]
    )
    chronology_add(
        case=agreement.case,
        author=request.user,
        title="Agreement to share withdrawn",
        text=f"{agreement.what_text} with {agreement.with_whom}, withdrawn "
        f"{withdrawn_on:%-d %B %Y}.",
    )
    audit.record(
        request,
        action=audit.Action.CHANGE,
        obj=agreement,
        reference=agreement.case.reference,
        changed_fields=["withdrawn_on"],
        detail="consent to share",
    )
    return agreement


def pack_context(referral: Referral, organisations=()) -> dict:
    """The register as the referral pack prints it, and which of `organisations` (the pack's
    agencies) have no current agreement to have the record; none are marked when no
    agreement is needed (a child, a Duty to Notify). An anonymous notice gets none of it:
    whom a person shares with can say who they are."""
    if referral.is_anonymous:
        return {"needed": False, "not_agreed": set(), "current": [], "withdrawn": []}
    needed = needs_agreement(referral.case, pathway=referral.pathway)
    return {
        "needed": needed,
        "not_agreed": organisations_without_agreement(referral.case, organisations)
        if needed
        else set(),
        **register(referral.case),
    }
