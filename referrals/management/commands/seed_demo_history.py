"""A synthetic year of work for the demo's statistics and home pages (DEBUG only).

Rows are written directly, not through the services: this is history, so nothing is audited,
reminded or timed from "now". Deterministic (a fixed seed), a few seconds on SQLite. Every
case it opens more than two months ago is closed again, so that the leads' lists still show
the hand-made demo cases first.
"""

import datetime as dt
import random
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cases.models import (
    Case,
    CaseStatus,
    ChronologyEntry,
    Concern,
    ConcernStatus,
    ExploitationType,
    Person,
    Setting,
)
from referrals import deadlines
from referrals.deadlines import UK, Timer
from referrals.models import Deadline, Decision, Referral
from referrals.services import NO_REFERRAL
from safeguard.choices import Pathway
from safeguard.models import OrganisationSettings, Team

MARKER = "Demo history (synthetic)"
CONCERNS = 160
NATIONALITIES = [
    ("British", 30),
    ("Albanian", 16),
    ("Vietnamese", 14),
    ("Romanian", 10),
    ("Eritrean", 8),
    ("Sudanese", 7),
    ("Polish", 6),
    ("Indian", 5),
    ("Chinese", 4),
    ("Nigerian", 4),
    ("Iranian", 3),
    ("Bulgarian", 2),
    ("Lithuanian", 1),
    ("", 4),
]
TYPES = [("labour", 30), ("criminal", 28), ("sexual", 22), ("domestic_servitude", 8)]
GENDERS = [("male", 55), ("female", 38), ("other", 2), ("unknown", 5)]


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _referenced(model, prefix: str, when: dt.datetime, **fields):
    """A row with a reference in the services' style (prefix, year, id)."""
    row = model.objects.create(reference=f"tmp-{uuid.uuid4().hex[:14]}", **fields)
    row.reference = f"{prefix}-{when.astimezone(UK).year}-{row.pk:06d}"
    row.save(update_fields=["reference"])
    return row


class Command(BaseCommand):
    help = "Add a synthetic year of concerns, referrals and decisions (DEBUG only)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo_history runs only with DEBUG on.")
        if Concern.objects.filter(location=MARKER).exists():
            self.stdout.write("Demo history already exists.")
            return
        users = get_user_model().objects
        frontline = users.get(email="frontline@safeguard.test")
        leads = {
            "North locality team": users.get(email="lead@safeguard.test"),
            "South locality team": users.get(email="lead.south@safeguard.test"),
        }
        teams = list(Team.objects.filter(name__in=leads).order_by("name"))
        types = {kind.code: kind for kind in ExploitationType.objects.all()}
        nation = OrganisationSettings.load().nation
        rng = random.Random(2026)  # noqa: S311  (synthetic demo data, not security)
        now = timezone.now()
        referrals = 0
        for index in range(CONCERNS):
            # More recent months a little busier, as a service that is being used more.
            days_ago = int(365 * (1 - rng.random() ** 0.8))
            submitted = now - dt.timedelta(days=days_ago + 2, hours=rng.randint(0, 23))
            observed = submitted - dt.timedelta(hours=rng.randint(1, 30))
            team = teams[index % len(teams)]
            lead = leads[team.name]
            person = self._person(rng, frontline, observed)
            outcome = rng.random()
            concern = _referenced(
                Concern,
                "CN",
                submitted,
                person=person,
                reporter=frontline,
                team=team,
                observed_at=observed,
                submitted_at=submitted,
                location=MARKER,
                setting=rng.choice(Setting.values),
                observer_account="Synthetic history for the demo statistics.",
                triaged_by=lead,
                triaged_at=submitted + dt.timedelta(hours=rng.randint(1, 40)),
                status=ConcernStatus.NO_FURTHER_ACTION
                if outcome < 0.2
                else ConcernStatus.SIGNPOSTED
                if outcome < 0.3
                else ConcernStatus.CASE,
            )
            concern.exploitation_types.set(
                {types[_pick(rng, TYPES)] for _ in range(rng.choice([1, 1, 1, 2]))}
            )
            refer_clock = Deadline.objects.create(
                timer=Timer.REFER,
                concern=concern,
                starts_at=observed,
                due_at=observed + dt.timedelta(hours=48),
            )
            if concern.status != ConcernStatus.CASE:
                Deadline.objects.filter(pk=refer_clock.pk).update(
                    satisfied_at=concern.triaged_at, satisfied_by=f"{NO_REFERRAL}: demo"
                )
                continue
            case = _referenced(
                Case,
                "SG",
                submitted,
                person=person,
                team=team,
                lead=lead,
                opened_at=concern.triaged_at,
                status=CaseStatus.CLOSED if days_ago > 60 else CaseStatus.OPEN,
                closed_at=concern.triaged_at + dt.timedelta(days=50) if days_ago > 60 else None,
            )
            Concern.objects.filter(pk=concern.pk).update(case=case)
            Deadline.objects.filter(pk=refer_clock.pk).update(case=case)
            ChronologyEntry.objects.create(
                case=case, at=case.opened_at, kind="event", title="Case opened (demo history)"
            )
            referrals += self._refer(rng, case, person, refer_clock, observed, nation, now)
        self.stdout.write(f"Demo history: {CONCERNS} concerns, {referrals} referrals.")

    def _person(self, rng: random.Random, by, observed: dt.datetime) -> Person:
        roll = rng.random()
        fields = {}
        if roll < 0.55:
            age = rng.randint(18, 55)
            fields["date_of_birth"] = observed.date() - dt.timedelta(days=age * 365 + 100)
        elif roll < 0.8:
            fields["date_of_birth"] = observed.date() - dt.timedelta(
                days=rng.randint(13, 17) * 365 + 40
            )
        elif roll < 0.88:
            fields.update(estimated_age=rng.randint(16, 19), age_disputed=True)
        elif roll < 0.95:
            fields["estimated_age"] = rng.randint(20, 45)
        return _referenced(
            Person,
            "PN",
            observed,
            gender=_pick(rng, GENDERS),
            nationalities=_pick(rng, NATIONALITIES),
            created_by=by,
            **fields,
        )

    def _refer(self, rng, case, person, refer_clock, observed, nation, now) -> int:
        """One or two referrals for the case, with decisions as far as today allows."""
        child = person.may_be_child(observed.astimezone(UK).date())
        # 48 hours met about four times in five.
        sent = observed + dt.timedelta(hours=rng.choice([6, 12, 20, 30, 40, 44, 47, 60, 80]))
        if sent >= now:
            return 0
        made = 0
        if child:
            self._referral(case, Pathway.CHILDRENS_SERVICES, sent - dt.timedelta(hours=2), "closed")
            made += 1
        pathway = Pathway.NRM if child or rng.random() < 0.75 else Pathway.DUTY_TO_NOTIFY
        referral = self._referral(case, pathway, sent, "submitted")
        made += 1
        Deadline.objects.filter(pk=refer_clock.pk).update(
            satisfied_at=sent, satisfied_by=f"{referral.get_pathway_display()} submitted"
        )
        if pathway != Pathway.NRM:
            Referral.objects.filter(pk=referral.pk).update(status="closed")
            return made
        due = deadlines.due_at(Timer.RG_DECISION, sent, length=5, nation=nation)
        rg_clock = Deadline.objects.create(
            timer=Timer.RG_DECISION,
            case=case,
            referral=referral,
            starts_at=sent,
            due_at=due,
            assignee=case.lead,
        )
        received = sent.astimezone(UK).date() + dt.timedelta(
            days=rng.choice([2, 3, 4, 5, 6, 7, 9, 12, 16])
        )
        if received >= now.astimezone(UK).date():
            return made  # still waiting: an open (perhaps overdue) RG deadline
        positive = rng.random() < 0.85
        self._decide(referral, rg_clock, Decision.Kind.RG, positive, received)
        cg_on = received + dt.timedelta(days=rng.randint(60, 140))
        if positive and cg_on < now.astimezone(UK).date():
            self._decide(referral, None, Decision.Kind.CG, rng.random() < 0.8, cg_on)
        return made

    def _referral(self, case, pathway, sent, status) -> Referral:
        return _referenced(
            Referral,
            "RF",
            sent,
            case=case,
            pathway=pathway,
            status=status,
            created_by=case.lead,
            created_at=sent - dt.timedelta(hours=1),
            submitted_at=sent,
            summary="Synthetic history for the demo statistics.",
        )

    def _decide(self, referral, clock, kind, positive, received) -> None:
        outcome = Decision.Outcome.POSITIVE if positive else Decision.Outcome.NEGATIVE
        Decision.objects.create(
            referral=referral,
            kind=kind,
            outcome=outcome,
            received_on=received,
            recorded_by=referral.case.lead,
        )
        status = f"{kind}_{'positive' if positive else 'negative'}"
        Referral.objects.filter(pk=referral.pk).update(status=status)
        if clock is not None:
            Deadline.objects.filter(pk=clock.pk).update(
                satisfied_at=dt.datetime.combine(received, dt.time(11), tzinfo=UK),
                satisfied_by="Reasonable Grounds decision received",
            )
