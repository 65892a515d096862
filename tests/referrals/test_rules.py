"""Issue 18: today's rules. Recovery period defaults by nation, end conditions, periods that end
rather than fall overdue, the referral clock as the organisation's own target, and the help page
"How deadlines are counted". Each rule pinned just before, at and after its boundaries."""

import datetime as dt
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from contacts.models import Organisation
from referrals import deadlines, rules, services
from referrals.deadlines import (
    RECOVERY_DEFAULTS,
    TIMER_LABELS,
    UK,
    End,
    Rule,
    Stage,
    Timer,
    describe_end,
    describe_period,
    due_at,
    event_ends_period,
    first_reminder,
    period_end,
    period_has_ended,
    reminder_after,
)
from referrals.models import Deadline
from safeguard.choices import NATION_DEFAULTS, Nation, PeriodEnd
from safeguard.models import OrganisationSettings
from tests.auth import request_as, sign_in
from tests.referrals.factories import DeadlineFactory
from tests.referrals.test_referrals import NOW, act, consent, open_case, start

ENG, SCT, NIR = "ENG", "SCT", "NIR"
US = dt.timedelta(microseconds=1)
RG_DAY = dt.date(2026, 3, 2)  # a Monday; the positive RG decision
RG = dt.datetime(2026, 3, 2, 0, 0, tzinfo=UK)


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=UK).astimezone(dt.UTC)


def recovery_day(nation: str) -> dt.datetime:
    rule = RECOVERY_DEFAULTS[nation]
    return due_at(Timer.RECOVERY_PERIOD, RG, length=rule.length, nation=nation)


# --- Item 1: defaults by nation ------------------------------------------------------------


def test_recovery_defaults_are_todays_rules_in_each_nation():
    assert {
        ENG: Rule(30, End.LATER),
        SCT: Rule(90, End.EARLIER),
        NIR: Rule(45, End.LATER),
    } == RECOVERY_DEFAULTS


def test_organisation_defaults_agree_with_the_pure_modules_rules():
    assert set(PeriodEnd.values) == {e.value for e in End}
    for nation, rule in RECOVERY_DEFAULTS.items():
        assert NATION_DEFAULTS[nation] == {"recovery_days": rule.length, "recovery_end": rule.end}


@pytest.mark.parametrize(
    ("nation", "last_day"),
    [(ENG, dt.date(2026, 3, 31)), (SCT, dt.date(2026, 5, 30)), (NIR, dt.date(2026, 4, 15))],
)
def test_recovery_days_begin_with_the_decision_day_in_each_nation(nation, last_day):
    assert recovery_day(nation) == end_of(last_day)


def test_a_new_organisation_gets_england_and_wales_defaults(db):
    organisation = OrganisationSettings.load()
    assert (organisation.nation, organisation.recovery_days, organisation.recovery_end) == (
        Nation.ENGLAND_AND_WALES,
        30,
        PeriodEnd.LATER,
    )
    assert rules.rule_for(organisation, Timer.RECOVERY_PERIOD) == Rule(30, End.LATER)
    assert rules.rule_for(organisation, Timer.MOVE_ON) == Rule(45, End.FIXED)


def _admin_form(admin_user, data, instance=None):
    model_admin = admin.site._registry[OrganisationSettings]
    request = request_as(admin_user)
    form_class = model_admin.get_form(request, obj=instance, change=instance is not None)
    return form_class(data=data, instance=instance)


def _settings_data(organisation, **changes):
    data = {
        field.name: getattr(organisation, field.name)
        for field in OrganisationSettings._meta.fields
        if field.editable and field.name not in ("id", "updated_at")
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_changing_the_nation_offers_its_defaults_and_never_applies_them_silently(db, world):
    organisation = OrganisationSettings.load()
    form = _admin_form(world.admin, _settings_data(organisation, nation=SCT), organisation)
    assert form.is_valid(), form.errors
    changed = form.save()
    assert (changed.recovery_days, changed.recovery_end) == (30, "later")
    offered = changed.differs_from_nation_defaults()
    assert offered == {"recovery_days": 90, "recovery_end": "earlier"}


def test_applying_a_nations_defaults_changes_new_deadlines_only(db, world):
    organisation = OrganisationSettings.load()
    existing = DeadlineFactory(timer=Timer.RECOVERY_PERIOD, due_at=end_of(dt.date(2026, 4, 1)))
    form = _admin_form(
        world.admin,
        _settings_data(organisation, nation=SCT, use_nation_defaults="on"),
        organisation,
    )
    assert form.is_valid(), form.errors
    applied = form.save()
    assert (applied.recovery_days, applied.recovery_end) == (90, "earlier")
    existing.refresh_from_db()
    assert existing.due_at == end_of(dt.date(2026, 4, 1))
    assert existing.end_condition == "fixed"


# --- Item 2: end conditions ------------------------------------------------------------------

DAY = end_of(dt.date(2026, 3, 31))


@pytest.mark.parametrize(
    ("end", "event", "ends"),
    [
        (End.FIXED, None, DAY),
        (End.FIXED, DAY - dt.timedelta(days=5), DAY),
        (End.EVENT, None, None),
        (End.EVENT, DAY + dt.timedelta(days=9), DAY + dt.timedelta(days=9)),
        (End.LATER, None, None),
        (End.LATER, DAY - US, DAY),
        (End.LATER, DAY, DAY),
        (End.LATER, DAY + US, DAY + US),
        (End.EARLIER, None, DAY),
        (End.EARLIER, DAY - US, DAY - US),
        (End.EARLIER, DAY, DAY),
        (End.EARLIER, DAY + US, DAY),
    ],
)
def test_period_end_by_end_condition(end, event, ends):
    assert period_end(end, DAY, event) == ends


@pytest.mark.parametrize(
    ("end", "event", "ends_there"),
    [
        (End.FIXED, DAY - US, False),
        (End.EVENT, DAY - US, True),
        (End.LATER, DAY - US, False),  # runs on to its day
        (End.LATER, DAY + US, True),
        (End.EARLIER, DAY - US, True),
        (End.EARLIER, DAY + US, False),  # already ended on its day
    ],
)
def test_whether_the_event_ends_a_period_there_and_then(end, event, ends_there):
    assert event_ends_period(end, DAY, event) is ends_there


@pytest.mark.parametrize("nation", [ENG, SCT, NIR])
def test_each_nations_recovery_period_has_ended_only_after_its_last_day(nation):
    rule, day = RECOVERY_DEFAULTS[nation], recovery_day(nation)
    cg = day + dt.timedelta(days=3)
    assert not period_has_ended(rule.end, day, day - US)
    # England and Wales, Northern Ireland: it goes on until the CG decision.
    assert period_has_ended(rule.end, day, day + US) is (rule.end is End.EARLIER)
    assert period_has_ended(rule.end, day, cg, event=cg)


def test_scotlands_recovery_period_ends_at_an_earlier_cg_decision():
    day, cg = recovery_day(SCT), end_of(dt.date(2026, 4, 20))
    assert period_end(End.EARLIER, day, cg) == cg
    assert period_has_ended(End.EARLIER, day, cg, event=cg)
    assert not period_has_ended(End.EARLIER, day, cg - US, event=cg)


def test_northern_irelands_recovery_period_runs_45_days_past_an_early_cg_decision():
    day, cg = recovery_day(NIR), end_of(dt.date(2026, 4, 6))
    assert period_end(End.LATER, day, cg) == day == end_of(dt.date(2026, 4, 15))


def test_an_end_on_an_event_is_shown_with_both():
    words = describe_end(End.LATER, DAY, "the Conclusive Grounds decision")
    assert words == "at least until Tue 31 Mar 2026, and until the Conclusive Grounds decision"
    assert describe_end(End.EARLIER, DAY, "the CG decision") == (
        "until Tue 31 Mar 2026, or the CG decision if that comes first"
    )
    assert describe_end(End.FIXED, DAY, "the CG decision") == "until Tue 31 Mar 2026"


# --- Item 6: a period's end is not lateness -------------------------------------------------


def test_a_period_is_described_as_ending_never_as_overdue():
    assert describe_period(End.FIXED, DAY, DAY - dt.timedelta(days=3)) == "ends in 3 days"
    assert describe_period(End.FIXED, DAY, DAY) == "ends now"
    assert describe_period(End.FIXED, DAY, DAY + dt.timedelta(days=35)) == "ended 35 days ago"
    waiting = describe_period(End.LATER, DAY, DAY + dt.timedelta(days=2), None, "the CG decision")
    assert waiting == "its day passed 2 days ago; it continues until the CG decision"


def test_a_period_is_reminded_ahead_and_at_its_end_and_never_chased():
    now = DAY - dt.timedelta(days=10)
    first = first_reminder(DAY, now, ENG, period=True)
    assert first.stage == Stage.BEFORE
    at_end = reminder_after(first, DAY, ENG, period=True)
    assert at_end.stage == Stage.DUE
    assert reminder_after(at_end, DAY, ENG, period=True) is None
    assert first_reminder(DAY, DAY + US, ENG, period=True) is None
    # A duty is still chased once overdue.
    assert reminder_after(at_end, DAY, ENG).stage == Stage.OVERDUE


@pytest.mark.parametrize("timer", [Timer.MOVE_ON, Timer.RECOVERY_PERIOD, Timer.PLACE_OF_SAFETY])
def test_an_ended_period_is_not_overdue(db, timer):
    now = DAY + dt.timedelta(days=35)
    period = DeadlineFactory(timer=timer, due_at=DAY)
    assert not period.is_overdue(now)
    assert period.has_ended(now)


@pytest.mark.parametrize("timer", [Timer.REFER, Timer.RG_DECISION, Timer.RECONSIDERATION])
def test_a_duty_past_its_time_is_overdue(db, timer):
    duty = DeadlineFactory(timer=timer, due_at=DAY)
    assert not duty.is_overdue(DAY - US)
    assert not duty.is_overdue(DAY)
    assert duty.is_overdue(DAY + US)


def test_the_overdue_page_says_a_period_ends_and_leaves_out_one_that_ended(
    client, world, log_concern, organisation
):
    case = open_case(world, log_concern)
    now = dt.datetime(2026, 6, 10, 10, 0, tzinfo=dt.UTC)
    DeadlineFactory(timer=Timer.MOVE_ON, case=case, due_at=now - dt.timedelta(days=35))
    DeadlineFactory(timer=Timer.RECOVERY_PERIOD, case=case, due_at=now + dt.timedelta(hours=5))
    DeadlineFactory(timer=Timer.RG_DECISION, case=case, due_at=now - dt.timedelta(days=2))
    with time_machine.travel(now, tick=False):
        sign_in(client, world.manager, secret=world.totp[world.manager.pk])
        html = client.get(reverse("referrals:overdue")).content.decode()
        mine = client.get(reverse("referrals:deadlines"))
    cell = '<td class="govuk-table__cell">{}</td>'
    assert cell.format("Move-on support ends") not in html
    assert cell.format("Recovery period ends") in html and "Ends soon" in html
    assert "Ends in 5 hours" in html
    assert html.count("govuk-tag--red") == 1  # only the RG decision to chase
    assert "How deadlines are counted" in html
    assert mine.status_code == 200


# --- Item 2 through the services: the CG decision and each nation's end ---------------------


@pytest.mark.parametrize(
    ("nation", "cg_on", "ends_at_cg"),
    [
        (SCT, dt.date(2026, 12, 20), True),  # before its 90th day: Scotland ends it there
        (NIR, dt.date(2026, 12, 29), False),  # before its 45th day: runs on to it
        (ENG, dt.date(2026, 12, 30), True),  # after its 30th day: ends with the decision
    ],
)
def test_the_cg_decision_ends_the_recovery_period_as_the_nation_says(
    world, log_concern, organisation, nation, cg_on, ends_at_cg
):
    organisation.nation = nation
    organisation.holds_duty_to_notify = False
    organisation.apply_nation_defaults()
    organisation.save()
    to = Organisation.objects.create(name="SCA", coverage_national=True)
    with time_machine.travel(NOW, tick=False):
        case = open_case(world, log_concern)
        referral = start(world, case, recipient=to)
        consent(world, referral)
        act(world, referral, "submit")
        act(world, referral, "rg_positive", decided_on=dt.date(2026, 11, 23))
    recovery = Deadline.objects.get(timer=Timer.RECOVERY_PERIOD)
    assert recovery.end_condition == NATION_DEFAULTS[nation]["recovery_end"]
    with time_machine.travel(NOW + dt.timedelta(days=40), tick=False):
        act(world, referral, "cg_positive", decided_on=cg_on)
    recovery.refresh_from_db()
    assert (recovery.satisfied_at is not None) is ends_at_cg
    assert recovery.event_at == deadlines.end_of_day(cg_on)
    assert not recovery.is_overdue(NOW + dt.timedelta(days=400))


# --- Existing deadlines migrate without changing their due times -----------------------------


def test_existing_recovery_periods_keep_their_due_times_and_end_as_before(db):
    recovery = DeadlineFactory(timer=Timer.RECOVERY_PERIOD, due_at=DAY)
    duty = DeadlineFactory(timer=Timer.RG_DECISION, due_at=DAY)
    migration = import_module("referrals.migrations.0007_deadline_end_conditions")
    migration.existing_recovery_periods_end_as_before(apps, None)
    recovery.refresh_from_db()
    duty.refresh_from_db()
    assert (recovery.due_at, recovery.end_condition) == (DAY, "earlier")
    assert (duty.due_at, duty.end_condition) == (DAY, "fixed")


# --- Items 7 and 8: the local target, and the help page --------------------------------------


def test_the_referral_clock_says_it_is_the_organisations_own_target():
    assert TIMER_LABELS[Timer.REFER] == "Referral due (your organisation's own target)"
    assert Timer.REFER in deadlines.LOCAL_TARGET_TIMERS


def test_every_signed_in_user_can_read_how_deadlines_are_counted(client, world, organisation):
    sign_in(client, world.frontline)
    response = client.get(reverse("referrals:deadline_rules"))
    assert response.status_code == 200
    html = response.content.decode()
    for timer in Timer:
        assert f'id="{timer}"' in html
    assert "Local target" in html
    assert "30 days" in html and "Hansard, 13 December 2022" in html
    assert "at least until its last day, and continues until the Conclusive Grounds" in html


def test_the_help_page_gives_scotlands_source_for_a_scottish_organisation(client, world, db):
    organisation = OrganisationSettings.load()
    organisation.nation = SCT
    organisation.apply_nation_defaults()
    organisation.save()
    sign_in(client, world.frontline)
    html = client.get(reverse("referrals:deadline_rules")).content.decode()
    assert "SSI 2018/90" in html and "90 days" in html


def test_the_help_page_needs_signing_in(client, db):
    response = client.get(reverse("referrals:deadline_rules"))
    assert response.status_code in (302, 403)


def test_services_use_the_organisations_rule(db):
    organisation = OrganisationSettings.load()
    assert set(rules.rules_for(organisation)) == set(Timer) - deadlines.CHOSEN_DAY_TIMERS
    assert services.rules is rules


def test_a_change_to_the_organisations_settings_is_audited_by_field_name(client, world):
    from safeguard.models import AuditEvent
    from tests.auth import sign_in

    organisation = OrganisationSettings.load()
    sign_in(client, world.admin, secret=world.totp[world.admin.pk])
    data = _settings_data(
        organisation, rg_working_days=6, privacy_notice="Our own notice, kept six years."
    )
    data = {k: ("on" if v is True else v) for k, v in data.items()}

    response = client.post(
        reverse("admin:safeguard_organisationsettings_change", args=[organisation.pk]), data
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(detail="organisation settings")
    assert (event.actor, event.action) == (world.admin, "change")
    assert event.changed_fields == ["privacy_notice", "rg_working_days"]
    assert "six years" not in event.detail
