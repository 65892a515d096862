"""A large synthetic organisation on PostgreSQL, made with INSERT ... SELECT generate_series.

Twenty teams of one lead and five frontline practitioners, two managers, and one small team
(its own lead, one person, one case, one referral) whose pages are measured beside the big
teams' to show that queries per page do not grow with the data. Every value is synthetic.

Sizes are fixed for each scale (sizes(), BENCH_SCALE): the benchmark reuses a database that
holds them and makes it again otherwise. Deadlines number a million (ten million at
BENCH_SCALE=10) so that the reminder sweep is timed against that many rows; most are met long
ago, as a real organisation's would be, and the rest have their next reminder far ahead,
except the 1,000 the sweep measurement makes due (bench.measure).
"""

import secrets
import time

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from dashboards import kept
from dashboards.models import KeptRefresh
from safeguard.choices import Nation
from safeguard.models import OrganisationSettings, User

TEAMS = 20
SMALL_TEAM = TEAMS + 1
MANAGER = 200


def sizes(scale: int = 1) -> dict[str, int]:
    """Rows per table at a scale (BENCH_SCALE): 1 is the benchmark's organisation, 10 has ten
    times the people, concerns, cases, referrals, deadlines and audit events in the same
    teams, plus the small team's one of each."""
    return {
        "cases_person": 50_000 * scale + 1,
        "cases_concern": 100_000 * scale + 2,
        "cases_case": 30_000 * scale + 1,
        "referrals_referral": 50_000 * scale + 1,
        "referrals_deadline": 1_000_000 * scale,
        "safeguard_auditevent": 1_000_000 * scale,
    }


SIZES = sizes(1)


def sweep_referrals(scale: int = 1) -> tuple[int, int]:
    """The 1,000 referrals whose RG decisions are open and not yet due: the sweep's."""
    return 3_000 * scale + 1, 3_000 * scale + 1_000


SWEEP_REFERRALS = sweep_referrals(1)
FAR_AHEAD = "2100-01-01"

# Each statement is one step; %(name)s are the constants above and the sizes.
STEPS = [
    (
        "teams and users",
        """
        INSERT INTO safeguard_team (id, name, description)
        SELECT t, 'Bench team ' || t, '' FROM generate_series(1, %(teams)s) t
        UNION ALL SELECT %(small)s, 'Bench small team', '';

        INSERT INTO safeguard_user (id, password, is_superuser, email, full_name, role,
                                    job_title, is_active, date_joined)
        SELECT t, '!', false, 'bench-lead-' || t || '@bench.invalid', 'Bench Lead ' || t,
               'lead', '', true, now() FROM generate_series(1, %(small)s) t
        UNION ALL
        SELECT 100 + t, '!', false, 'bench-frontline-' || t || '@bench.invalid',
               'Bench Frontline ' || t, 'frontline', '', true, now()
        FROM generate_series(1, %(small)s) t
        UNION ALL
        SELECT %(manager)s + m, '!', false, 'bench-manager-' || m || '@bench.invalid',
               'Bench Manager ' || m, 'manager', '', true, now() FROM generate_series(0, 1) m;

        INSERT INTO safeguard_user_teams (user_id, team_id)
        SELECT t, t FROM generate_series(1, %(small)s) t
        UNION ALL SELECT 100 + t, t FROM generate_series(1, %(small)s) t
        UNION ALL SELECT %(manager)s + m, t
        FROM generate_series(0, 1) m, generate_series(1, %(teams)s) t;
        """,
    ),
    (
        "people",
        """
        INSERT INTO cases_person (id, reference, name, aliases, date_of_birth, estimated_age,
            age_disputed, gender, nationalities, languages, interpreter_needed,
            interpreter_language, safe_contact, distinguishing_features, photo, created_at,
            age_settled_as, created_by_id)
        SELECT p, 'PN-2026-' || lpad(p::text, 6, '0'), 'Bench Person ' || p, '',
               date '1960-01-01' + (p %% 16000), NULL, false, 'unknown', 'Synthetic', '',
               p %% 7 = 0, CASE WHEN p %% 7 = 0 THEN 'Romanian' ELSE '' END, '', '', '',
               now() - (p %% 900) * interval '1 day', '',
               100 + CASE WHEN p > %(people)s THEN %(small)s ELSE (p - 1) %% %(teams)s + 1 END
        FROM generate_series(1, %(people)s + 1) p;
        """,
    ),
    (
        "cases",
        """
        INSERT INTO cases_case (id, reference, status, risk_level, restricted, opened_at,
                                closed_at, close_reason, lead_id, team_id, person_id)
        SELECT c, 'SG-2026-' || lpad(c::text, 6, '0'), 'open', 'medium', false,
               now() - (c %% 800) * interval '1 day', NULL, '', team, team, person
        FROM (
            SELECT c, CASE WHEN c > %(cases)s THEN %(small)s ELSE (c - 1) %% %(teams)s + 1 END team,
                   CASE WHEN c > %(cases)s THEN %(people)s + 1 ELSE c END person
            FROM generate_series(1, %(cases)s + 1) c
        ) s;

        INSERT INTO cases_chronologyentry (at, kind, title, text, author_id, case_id)
        SELECT now() - n * interval '1 day', 'event', 'Synthetic event ' || n, '',
               (c - 1) %% %(teams)s + 1, c
        FROM generate_series(1, %(cases)s) c, generate_series(1, 3) n
        UNION ALL SELECT now(), 'event', 'Case opened', '', %(small)s, %(cases)s + 1;
        """,
    ),
    (
        "concerns",
        """
        INSERT INTO cases_concern (id, reference, status, immediate_danger, observed_at,
            location, setting, observer_account, persons_words, accompanied_by, county_lines,
            submitted_at, triaged_at, triage_reason, case_id, reporter_id, team_id,
            triaged_by_id, person_id)
        SELECT c, 'CN-2026-' || lpad(c::text, greatest(6, length(c::text)), '0'), status, false,
               submitted - interval '1 hour', 'Synthetic Street', 'hotel',
               'Synthetic account of what was seen.', '', '', false, submitted,
               CASE WHEN status = 'submitted' THEN NULL ELSE submitted + interval '1 day' END,
               '', CASE WHEN status = 'case' THEN person END, 100 + team, team,
               CASE WHEN status = 'submitted' THEN NULL ELSE team END, person
        FROM (
            SELECT c, person, team, submitted,
                   CASE WHEN c > %(waiting_after)s AND c <= %(concerns)s OR c = %(concerns)s + 2
                        THEN 'submitted'
                        WHEN person <= %(cases)s OR c = %(concerns)s + 1 THEN 'case'
                        ELSE 'nfa' END status
            FROM (
                SELECT c,
                       CASE WHEN c > %(concerns)s THEN %(people)s + 1 ELSE (c - 1) %% %(people)s + 1
                       END person,
                       CASE WHEN c > %(concerns)s THEN %(small)s
                            ELSE ((c - 1) %% %(people)s) %% %(teams)s + 1
                       END team,
                       now() - ((c::bigint * 7919) %% 1000) * interval '1 day'
                             - (c %% 1440) * interval '1 minute' submitted
                FROM generate_series(1, %(concerns)s + 2) c
            ) a
        ) b;
        UPDATE cases_concern SET case_id = %(cases)s + 1 WHERE id = %(concerns)s + 1;
        """,
    ),
    (
        "referrals",
        """
        INSERT INTO referrals_referral (id, reference, pathway, status, competent_authority,
            external_reference, summary, named, created_at, submitted_at, updated_at, case_id,
            created_by_id, recipient_id)
        SELECT r, 'RF-2026-' || lpad(r::text, 6, '0'), 'nrm',
               CASE WHEN r <= %(cases)s OR r > %(referrals)s THEN 'submitted'
                    ELSE 'rg_positive' END,
               'sca', 'NRM-' || r, '', false, now() - interval '20 days',
               now() - interval '19 days', now(), c,
               CASE WHEN r > %(referrals)s THEN %(small)s ELSE (c - 1) %% %(teams)s + 1 END, NULL
        FROM (
            SELECT r, CASE WHEN r > %(referrals)s THEN %(cases)s + 1
                           ELSE (r - 1) %% %(cases)s + 1 END c
            FROM generate_series(1, %(referrals)s + 1) r
        ) s;
        """,
    ),
    (
        "deadlines",
        """
        -- The referral clock of every concern: open while it waits for triage.
        INSERT INTO referrals_deadline (timer, starts_at, due_at, is_earliest, satisfied_at,
            satisfied_by, cancelled_at, extended_reason, assignee_id, case_id, concern_id,
            referral_id, next_reminder_at, next_sequence, next_stage, end_condition,
            authority, cancelled_reason, owner_reference)
        SELECT 'refer', observed_at, observed_at + interval '48 hours', false,
               CASE WHEN status = 'submitted' THEN NULL ELSE triaged_at END,
               CASE WHEN status = 'submitted' THEN '' ELSE 'triage' END, NULL, '', NULL,
               case_id, id, NULL,
               CASE WHEN status = 'submitted'
                    THEN timestamptz '%(far)s' + id * interval '1 second' END,
               0, 'before', 'fixed', '', '', ''
        FROM cases_concern;

        -- The Reasonable Grounds decision of every referral: open while submitted, the
        -- first 3,000 overdue; then the recovery period of each positive decision.
        INSERT INTO referrals_deadline (timer, starts_at, due_at, is_earliest, satisfied_at,
            satisfied_by, cancelled_at, extended_reason, assignee_id, case_id, concern_id,
            referral_id, next_reminder_at, next_sequence, next_stage, end_condition,
            authority, cancelled_reason, owner_reference)
        SELECT 'rg_decision', now() - interval '19 days',
               CASE WHEN id <= %(overdue)s THEN now() - (id %% 30 + 1) * interval '1 day'
                    ELSE now() + (id %% 40 + 3) * interval '1 day' END, false,
               CASE WHEN status = 'submitted' THEN NULL ELSE now() - interval '5 days' END,
               CASE WHEN status = 'submitted' THEN '' ELSE 'rg_positive' END, NULL, '', NULL,
               case_id, NULL, id,
               CASE WHEN status = 'submitted'
                    THEN timestamptz '%(far)s' + id * interval '1 second' END,
               0, 'before', 'fixed', '', '', ''
        FROM referrals_referral;

        INSERT INTO referrals_deadline (timer, starts_at, due_at, is_earliest, satisfied_at,
            satisfied_by, cancelled_at, extended_reason, assignee_id, case_id, concern_id,
            referral_id, next_reminder_at, next_sequence, next_stage, end_condition,
            authority, cancelled_reason, owner_reference)
        SELECT 'recovery_period', now() - interval '5 days', now() + interval '40 days', false,
               NULL, '', NULL, '', NULL, case_id, NULL, id,
               timestamptz '%(far)s' + id * interval '1 second', 0, 'before', 'later', '', '', ''
        FROM referrals_referral WHERE status = 'rg_positive';

        -- Deadlines met long ago, up to a million rows.
        INSERT INTO referrals_deadline (timer, starts_at, due_at, is_earliest, satisfied_at,
            satisfied_by, cancelled_at, extended_reason, assignee_id, case_id, concern_id,
            referral_id, next_reminder_at, next_sequence, next_stage, end_condition,
            authority, cancelled_reason, owner_reference)
        SELECT 'rg_decision', now() - interval '3 years', now() - interval '3 years',
               false, now() - interval '3 years', 'rg_positive', NULL, '', NULL,
               (n - 1) %% %(cases)s + 1, NULL, NULL, NULL, 0, '', 'fixed', '', '', ''
        FROM generate_series(1, %(deadlines)s - (SELECT count(*) FROM referrals_deadline)) n;
        """,
    ),
    (
        "audit events",
        """
        INSERT INTO safeguard_auditevent (at, action, object_type, object_id, reference,
            changed_fields, detail, path, ip, request_id, actor_id)
        SELECT now() - (n %% 1000) * interval '1 day', 'view', 'case', c::text,
               'SG-2026-' || lpad(c::text, 6, '0'), '[]'::jsonb, '',
               '/cases/SG-2026-' || lpad(c::text, 6, '0') || '/', '127.0.0.1', '',
               (c - 1) %% %(teams)s + 1
        FROM (SELECT n, (n * 7) %% %(cases)s + 1 c FROM generate_series(1, %(audit)s) n) s;
        """,
    ),
]


def params(scale: int = 1) -> dict:
    return {
        "teams": TEAMS,
        "small": SMALL_TEAM,
        "manager": MANAGER,
        "far": FAR_AHEAD,
        # The big teams' rows; each table's last one or two are the small team's.
        "people": 50_000 * scale,
        "cases": 30_000 * scale,
        "concerns": 100_000 * scale,
        "referrals": 50_000 * scale,
        # Concerns after this one (up to "concerns") wait for triage; RG decisions up to
        # "overdue" are overdue.
        "waiting_after": 99_000 * scale,
        "overdue": 3_000 * scale,
        "deadlines": sizes(scale)["referrals_deadline"],
        "audit": sizes(scale)["safeguard_auditevent"],
    }


PARAMS = params(1)
IDENTITY_TABLES = [
    "safeguard_team",
    "safeguard_user",
    "cases_person",
    "cases_case",
    "cases_concern",
    "referrals_referral",
]


def counts(scale: int = 1) -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for table in sizes(scale):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608  (names from sizes)
            found[table] = cursor.fetchone()[0]
        return found


def is_generated(scale: int = 1) -> bool:
    # Every page read writes an audit event, so that table grows from run to run. A database
    # made before the statistics were kept (dashboards.kept) is made again, with them.
    expected, found = sizes(scale), counts(scale)
    return (
        all(found[table] >= expected[table] for table in expected)
        and found["referrals_deadline"] == expected["referrals_deadline"]
        and KeptRefresh.objects.exists()
    )


@transaction.atomic
def generate(say=print, scale: int = 1) -> None:
    started = time.monotonic()
    OrganisationSettings.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Bench Borough Council",
            "nation": Nation.ENGLAND_AND_WALES,
            "is_first_responder": True,
            "holds_duty_to_notify": True,
        },
    )
    with connection.cursor() as cursor:
        for name, sql in STEPS:
            step_started = time.monotonic()
            cursor.execute(sql % params(scale))
            say(f"  {name}: {time.monotonic() - step_started:.1f} s")
        for table in IDENTITY_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                f" (SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    # A password nobody knows (the benchmark signs in without one), usable so that the
    # change-password page, the baseline, answers as it does for everyone.
    User.objects.update(password=make_password(secrets.token_urlsafe(32)))
    # The statistics page reads the figures beat keeps: count them as beat would.
    say(f"  statistics counted: {kept.refresh().seconds:.1f} s")
    say(f"  generated in {time.monotonic() - started:.0f} s")
