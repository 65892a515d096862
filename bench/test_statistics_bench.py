"""`make bench`: the statistics page and the manager's home page over a year of a large
organisation's data (BENCH_SCALE concerns, default 20,000, with their referrals, decisions and
deadlines), on the database `make test` uses. Prints the timings; fails if a page is slower
than BENCH_LIMIT_SECONDS (default 3)."""

import datetime as dt
import os
import random
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, Concern, ExploitationType, Person
from referrals.deadlines import Timer
from referrals.models import Deadline, Decision, Referral
from safeguard.choices import Pathway

SCALE = int(os.environ.get("BENCH_SCALE", "20000"))
LIMIT = float(os.environ.get("BENCH_LIMIT_SECONDS", "3"))
NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def _year_of_work(world) -> None:
    rng = random.Random(9)  # noqa: S311
    teams, leads = [world.north, world.south], [world.lead, world.lead_south]
    people = Person.objects.bulk_create(
        Person(
            reference=f"PN-B-{i:07d}",
            created_by=world.lead,
            gender=rng.choice(["male", "female", "other", "unknown"]),
            nationalities=f"Nation{rng.randint(1, 40)}",
            date_of_birth=dt.date(1970 + rng.randint(0, 40), rng.randint(1, 12), 1),
        )
        for i in range(SCALE)
    )
    cases = Case.objects.bulk_create(
        Case(reference=f"SG-B-{i:07d}", person=p, team=teams[i % 2], lead=leads[i % 2])
        for i, p in enumerate(people[: SCALE // 2])
    )
    when = [NOW - dt.timedelta(hours=rng.randint(1, 365 * 24)) for _ in range(SCALE)]
    concerns = Concern.objects.bulk_create(
        Concern(
            reference=f"CN-B-{i:07d}",
            person=p,
            reporter=world.frontline,
            team=teams[i % 2],
            observed_at=when[i] - HOUR,
            submitted_at=when[i],
            location="Bench",
            setting="hotel",
            observer_account="Bench.",
            case=cases[i] if i < len(cases) else None,
            status="case" if i < len(cases) else "nfa",
        )
        for i, p in enumerate(people)
    )
    through = Concern.exploitation_types.through
    kinds = list(ExploitationType.objects.all())
    through.objects.bulk_create(
        through(concern=c, exploitationtype=kinds[i % len(kinds)]) for i, c in enumerate(concerns)
    )
    referrals = Referral.objects.bulk_create(
        Referral(
            reference=f"RF-B-{i:07d}",
            case=c,
            pathway=Pathway.NRM if i % 4 else Pathway.DUTY_TO_NOTIFY,
            status="submitted",
            created_by=c.lead,
            submitted_at=when[i] + 30 * HOUR,
        )
        for i, c in enumerate(cases)
    )
    Decision.objects.bulk_create(
        Decision(
            referral=r,
            kind="rg",
            outcome="positive" if i % 5 else "negative",
            received_on=(r.submitted_at + dt.timedelta(days=rng.randint(2, 14))).date(),
            recorded_by=r.created_by,
        )
        for i, r in enumerate(referrals)
        if r.pathway == Pathway.NRM
    )
    Deadline.objects.bulk_create(
        [
            Deadline(
                timer=Timer.REFER,
                concern=c,
                case=c.case,
                starts_at=c.observed_at,
                due_at=c.observed_at + 48 * HOUR,
                satisfied_at=c.observed_at + rng.randint(2, 80) * HOUR,
                satisfied_by="NRM submitted",
            )
            for c in concerns
        ]
        + [
            Deadline(
                timer=Timer.RG_DECISION,
                case=r.case,
                referral=r,
                starts_at=r.submitted_at,
                due_at=r.submitted_at + 7 * 24 * HOUR,
                satisfied_at=None if i % 7 == 0 else r.submitted_at + 9 * 24 * HOUR,
            )
            for i, r in enumerate(referrals)
            if r.pathway == Pathway.NRM
        ]
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


@pytest.mark.django_db
def test_statistics_and_the_managers_home_stay_fast_over_a_large_year(
    client, world, reference_data
):
    import time_machine

    started = time.perf_counter()
    _year_of_work(world)
    print(f"\n{SCALE} concerns built in {time.perf_counter() - started:.1f} s")
    client.force_login(world.manager)
    with time_machine.travel(NOW, tick=False):
        for name in ("referrals:statistics", "home"):
            client.get(reverse(name))  # warm caches (templates, session)
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(reverse(name))
                took = time.perf_counter() - started
            assert response.status_code == 200
            print(f"{name}: {took:.2f} s, {len(queries)} queries ({connection.vendor})")
            slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
            for query in slowest:
                print(f"   {query['time']} s  {query['sql'][:150]}")
            assert took < LIMIT, f"{name} took {took:.2f} s"
