"""Rows of the cases app, built directly: no services, so no clock starts, chronology or audit
unless a test adds them. References are normally made by `cases.services`; here they are
sequences of their own ("-F-"), unique and plainly synthetic, as are the names."""

import factory
from django.utils import timezone

from cases.models import Case, Concern, ConcernStatus, ExploitationType, Person, Setting
from safeguard.models import Role
from tests.factories import TeamFactory, UserFactory


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    reference = factory.Sequence(lambda n: f"PN-F-{n + 1:06d}")
    name = factory.Sequence(lambda n: f"Synthetic Name{n + 1}")
    created_by = factory.SubFactory(UserFactory)


class CaseFactory(factory.django.DjangoModelFactory):
    """`members=[...]` names users on the case; `restricted=True` is the column itself (only
    the lead and named members may see the case), set when the row is made."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"SG-F-{n + 1:06d}")
    person = factory.SubFactory(PersonFactory)
    team = factory.SubFactory(TeamFactory)
    lead = factory.SubFactory(UserFactory, role=Role.LEAD)
    restricted = False

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


class ConcernFactory(factory.django.DjangoModelFactory):
    """Observed when it was submitted unless told otherwise; in a case if given one (status
    "case"), else waiting for triage. `exploitation_types=["sexual", ...]` takes codes."""

    class Meta:
        model = Concern
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"CN-F-{n + 1:06d}")
    person = factory.SubFactory(PersonFactory)
    reporter = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    submitted_at = factory.LazyFunction(timezone.now)
    observed_at = factory.LazyAttribute(lambda concern: concern.submitted_at)
    location = "Synthetic Street"
    setting = Setting.HOTEL
    observer_account = "Synthetic account."
    case = None
    status = factory.LazyAttribute(
        lambda concern: ConcernStatus.CASE if concern.case else ConcernStatus.SUBMITTED
    )

    @factory.post_generation
    def exploitation_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.exploitation_types.set(ExploitationType.objects.filter(code__in=extracted))


def case_in(world, *, name=None, team=None, lead=None, **fields) -> Case:
    """A case in the shared world: the north team's, led by Lee Lead unless told otherwise,
    for an adult (estimated 30) whom Lee recorded. `name` defaults to a synthetic one."""
    person = PersonFactory(
        created_by=world.lead, estimated_age=30, **({"name": name} if name else {})
    )
    return CaseFactory(person=person, team=team or world.north, lead=lead or world.lead, **fields)


def support_plan_data(*rows: dict, existing=(), token: str | None = None) -> dict:
    """The body the support plan page posts: `existing` tasks first (as shown, with their
    versions; a dict in `rows` at the same position changes what is typed), then new ones.
    Each row is a dict of the form's fields; a target date is given as a date."""
    existing = list(existing)
    data = {
        "form-TOTAL_FORMS": str(max(len(rows), len(existing))),
        "form-INITIAL_FORMS": str(len(existing)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "200",
    }
    if token:
        data["submission_token"] = token
    for i in range(max(len(rows), len(existing))):
        need = existing[i] if i < len(existing) else None
        fields = {}
        if need is not None:
            fields = {
                "id": need.pk,
                "seen_version": need.version,
                "domain": need.domain,
                "need": need.need,
                "action": need.action,
                "owner_user": need.owner_user_id or "",
                "owner_organisation": need.owner_organisation_id or "",
                "target_date": need.target_date,
                "status": need.status,
                "blocked_reason": need.blocked_reason,
            }
        else:
            fields = {"status": "not_started"}
        fields.update(rows[i] if i < len(rows) else {})
        day = fields.pop("target_date", None)
        for name, value in fields.items():
            data[f"form-{i}-{name}"] = "" if value is None else str(value)
        if day is not None:
            parts = (day.day, day.month, day.year) if hasattr(day, "day") else day
            for n, part in enumerate(parts):
                data[f"form-{i}-target_date_{n}"] = str(part)
    return data
