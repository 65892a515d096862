"""Issue 18, item 4: the reconsideration window extended, further or revised decisions, a
public order disqualification, the person withdrawing, and the defence notice for police and
prosecutors, in each nation."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases import defence
from contacts.models import Organisation
from referrals import help, machines, services
from referrals.deadlines import Timer
from referrals.models import Deadline, Decision, Reminder, Transition
from safeguard.models import OrganisationSettings
from tests.auth import request_as, sign_in
from tests.referrals.test_referrals import act, consent, open_case, start

NOW = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)  # a Monday, in GMT
NATIONS = ["ENG", "SCT", "NIR"]


def end_of(day: dt.date) -> dt.datetime:
    from referrals.deadlines import end_of_day

    return end_of_day(day)


@pytest.fixture
def recipient(db):
    return Organisation.objects.create(name="Single Competent Authority", coverage_national=True)


@pytest.fixture(params=NATIONS)
def nation(request, organisation):
    organisation.nation = request.param
    organisation.apply_nation_defaults()
    organisation.save()
    return request.param


@pytest.fixture
def nrm(world, log_concern, nation, recipient):
    with time_machine.travel(NOW, tick=False):
        case = open_case(world, log_concern)
        referral = start(world, case, recipient=recipient)
        consent(world, referral)
        act(world, referral, "submit")
    return referral


def negative(world, nrm, day=dt.date(2027, 3, 1)):
    with time_machine.travel(NOW, tick=False):
        act(world, nrm, "rg_negative", decided_on=day)
    return Deadline.objects.get(referral=nrm, timer=Timer.RECONSIDERATION)


def positive(world, nrm, day=dt.date(2027, 3, 1)):
    with time_machine.travel(NOW, tick=False):
        act(world, nrm, "rg_positive", decided_on=day)
    return Deadline.objects.get(referral=nrm, timer=Timer.RECOVERY_PERIOD)


def extend(world, nrm, day, reason="In hospital for three weeks", at=NOW):
    with time_machine.travel(at, tick=False):
        return act(world, nrm, "extend_reconsideration", new_last_day=day, reason=reason)


# --- The reconsideration window, extended --------------------------------------------------


def test_the_window_extends_only_past_its_current_last_day(world, nrm):
    window = negative(world, nrm)
    # Within 30 days of 1 March: the end of 31 March, which is in BST (clocks go forward on
    # 28 March 2027).
    assert window.due_at == dt.datetime(2027, 3, 31, 22, 59, 59, 999999, tzinfo=dt.UTC)
    with pytest.raises(ValidationError, match="after the current last day, 31 March 2027"):
        extend(world, nrm, dt.date(2027, 3, 31))
    with pytest.raises(ValidationError, match="after the current last day"):
        extend(world, nrm, dt.date(2027, 3, 30))

    extend(world, nrm, dt.date(2027, 4, 1))

    window.refresh_from_db()
    assert window.due_at == end_of(dt.date(2027, 4, 1))
    assert window.extended_from == dt.datetime(2027, 3, 31, 22, 59, 59, 999999, tzinfo=dt.UTC)
    assert window.extended_reason == "In hospital for three weeks"
    assert window.is_open
    nrm.refresh_from_db()
    assert nrm.status == machines.RG_NEGATIVE
    step = Transition.objects.get(referral=nrm, action="extend_reconsideration")
    assert (step.from_status, step.to_status) == (machines.RG_NEGATIVE, machines.RG_NEGATIVE)
    assert any("extended to 1 April 2027" in e.title for e in nrm.case.chronology.all())


def test_an_extension_needs_a_day_and_the_exceptional_circumstances(world, nrm):
    negative(world, nrm)
    with pytest.raises(ValidationError, match="Enter the new last day"):
        extend(world, nrm, None)
    with pytest.raises(ValidationError, match="exceptional circumstances"):
        extend(world, nrm, dt.date(2027, 4, 10), reason="  ")
    assert not Transition.objects.filter(action="extend_reconsideration").exists()


def test_an_overdue_window_extends_only_to_today_or_later(world, nrm):
    negative(world, nrm)
    later = dt.datetime(2027, 4, 5, 10, 0, tzinfo=dt.UTC)  # the window closed on 31 March
    with pytest.raises(ValidationError, match="today or a later day"):
        extend(world, nrm, dt.date(2027, 4, 4), at=later)
    extend(world, nrm, dt.date(2027, 4, 5), at=later)
    window = Deadline.objects.get(referral=nrm, timer=Timer.RECONSIDERATION)
    assert not window.is_overdue(later)


def test_an_extension_plans_its_reminders_again_with_keys_of_their_own(world, nrm):
    window = negative(world, nrm)
    Reminder.objects.create(deadline=window, stage="before", sequence=0, recipient=world.lead)
    Reminder.objects.create(deadline=window, stage="due", sequence=0, recipient=world.lead)

    extend(world, nrm, dt.date(2027, 4, 16))

    window.refresh_from_db()
    assert window.next_stage == "before"
    assert window.next_sequence == 1  # above the reminders already written
    # A working day before the end of Friday 16 April 2027.
    assert window.next_reminder_at == end_of(dt.date(2027, 4, 15))


def test_the_window_can_no_longer_be_extended_once_reconsideration_is_requested(world, nrm):
    negative(world, nrm)
    with time_machine.travel(NOW, tick=False):
        act(world, nrm, "request_reconsideration", reason="New evidence")
    with pytest.raises(ValidationError, match="cannot be done"):
        extend(world, nrm, dt.date(2027, 4, 10))


def test_the_database_refuses_an_extension_without_a_reason(world, nrm):
    window = negative(world, nrm)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deadline.objects.filter(pk=window.pk).update(extended_from=window.due_at)


def test_a_recovery_period_extension_keeps_its_old_end_across_the_clock_change(world, nrm):
    recovery = positive(world, nrm)
    before = recovery.due_at
    with time_machine.travel(NOW, tick=False):
        services.recovery_extend(
            request=request_as(world.lead), deadline=recovery, days=31, reason="Still unsafe"
        )
    recovery.refresh_from_db()
    assert recovery.extended_from == before
    last_day = before.astimezone(dt.timezone(dt.timedelta(0))).date()
    # Ends at the end of a UK day, 31 days on, whatever the clocks did in between.
    assert recovery.due_at == end_of(last_day + dt.timedelta(days=31))
    assert recovery.next_stage == "before"


# --- Further or revised decisions -----------------------------------------------------------


RECOVERY_DAYS = {"ENG": 30, "SCT": 90, "NIR": 45}


def test_a_revised_positive_rg_supersedes_the_negative_and_starts_the_recovery_period(
    world, nrm, nation
):
    window = negative(world, nrm)
    with time_machine.travel(NOW + dt.timedelta(days=5), tick=False):
        act(
            world,
            nrm,
            "revise_rg_positive",
            decided_on=dt.date(2027, 3, 5),
            reason="New evidence from the police",
        )
    nrm.refresh_from_db()
    assert nrm.status == machines.RG_POSITIVE
    first, revised = nrm.decisions.all()
    assert revised.revises == first and first.is_superseded and not revised.is_superseded
    assert str(revised) == "Revised Reasonable Grounds positive"
    window.refresh_from_db()
    assert window.satisfied_at is not None
    recovery = Deadline.objects.get(referral=nrm, timer=Timer.RECOVERY_PERIOD)
    last = dt.date(2027, 3, 5) + dt.timedelta(days=RECOVERY_DAYS[nation] - 1)
    assert recovery.due_at == end_of(last)


def test_a_revised_decision_is_dated_no_earlier_than_the_one_it_revises(world, nrm):
    negative(world, nrm, day=dt.date(2027, 3, 1))
    with time_machine.travel(NOW + dt.timedelta(days=5), tick=False):
        with pytest.raises(ValidationError, match="before the decision it revises"):
            act(world, nrm, "revise_rg_positive", decided_on=dt.date(2027, 2, 28), reason="x")
        act(world, nrm, "revise_rg_positive", decided_on=dt.date(2027, 3, 1), reason="x")
    assert nrm.decisions.count() == 2


def test_a_revised_decision_needs_its_reason(world, nrm):
    negative(world, nrm)
    with (
        time_machine.travel(NOW, tick=False),
        pytest.raises(ValidationError, match="why the decision was revised"),
    ):
        act(world, nrm, "revise_rg_positive", decided_on=dt.date(2027, 3, 1), reason="")


def test_a_revised_negative_rg_ends_the_recovery_period_and_opens_the_window(world, nrm):
    recovery = positive(world, nrm)
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        act(world, nrm, "revise_rg_negative", decided_on=dt.date(2027, 3, 4), reason="Withdrawn")
    recovery.refresh_from_db()
    assert recovery.satisfied_by == "ended: revised to a negative decision"
    assert not recovery.is_overdue()
    not_before = Deadline.objects.get(referral=nrm, timer=Timer.CG_NOT_BEFORE)
    assert not_before.cancelled_at is not None
    window = Deadline.objects.get(referral=nrm, timer=Timer.RECONSIDERATION)
    assert window.due_at == end_of(dt.date(2027, 4, 3))
    nrm.refresh_from_db()
    assert nrm.status == machines.RG_NEGATIVE


def test_a_decision_is_revised_once_the_database_says_so(world, nrm):
    negative(world, nrm)
    first = nrm.decisions.get()
    Decision.objects.create(
        referral=nrm,
        kind="rg",
        outcome="positive",
        received_on=dt.date(2027, 3, 2),
        recorded_by=world.lead,
        revises=first,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            referral=nrm,
            kind="rg",
            outcome="positive",
            received_on=dt.date(2027, 3, 2),
            recorded_by=world.lead,
            revises=first,
        )


# --- Public order disqualification ---------------------------------------------------------


def test_a_disqualification_in_england_and_wales_ends_support_without_anything_late(
    world,
    log_concern,
    organisation,
    recipient,
):
    with time_machine.travel(NOW, tick=False):
        case = open_case(world, log_concern)
        nrm = start(world, case, recipient=recipient)
        consent(world, nrm)
        act(world, nrm, "submit")
        act(world, nrm, "rg_positive", decided_on=dt.date(2027, 3, 1))
    later = NOW + dt.timedelta(days=10)
    with time_machine.travel(later, tick=False):
        with pytest.raises(ValidationError, match="reasons for the disqualification"):
            act(world, nrm, "disqualify", decided_on=dt.date(2027, 3, 10), reason="")
        act(world, nrm, "disqualify", decided_on=dt.date(2027, 3, 10), reason="Convicted")
    recovery = Deadline.objects.get(referral=nrm, timer=Timer.RECOVERY_PERIOD)
    assert recovery.satisfied_by == "ended: public order disqualification"
    assert not Deadline.objects.filter(referral=nrm).open().exists()
    nrm.refresh_from_db()
    assert nrm.status == machines.DISQUALIFIED
    decision = nrm.decisions.last()
    assert (decision.kind, decision.outcome, decision.note) == (
        "disqualification",
        "disqualified",
        "Convicted",
    )
    assert "s.50A(5)" in help.outcome_notice(nrm.status, "ENG")


@pytest.mark.parametrize("where", ["SCT", "NIR"])
def test_a_disqualification_in_scotland_or_northern_ireland_leaves_support_running(
    world,
    log_concern,
    organisation,
    recipient,
    where,
):
    organisation.nation = where
    organisation.apply_nation_defaults()
    organisation.save()
    with time_machine.travel(NOW, tick=False):
        case = open_case(world, log_concern)
        nrm = start(world, case, recipient=recipient)
        consent(world, nrm)
        act(world, nrm, "submit")
        act(world, nrm, "rg_positive", decided_on=dt.date(2027, 3, 1))
    with time_machine.travel(NOW + dt.timedelta(days=10), tick=False):
        act(world, nrm, "disqualify", decided_on=dt.date(2027, 3, 10), reason="Bad faith")
    recovery = Deadline.objects.get(referral=nrm, timer=Timer.RECOVERY_PERIOD)
    assert recovery.is_open
    assert "s.63 does not change" in help.outcome_notice(machines.DISQUALIFIED, where)
    # The CG decision can still come, and is the period's ending event.
    with time_machine.travel(NOW + dt.timedelta(days=20), tick=False):
        act(world, nrm, "cg_negative_disqualified", decided_on=dt.date(2027, 3, 20))
    recovery.refresh_from_db()
    assert recovery.event_at == end_of(dt.date(2027, 3, 20))
    nrm.refresh_from_db()
    assert nrm.status == machines.DISQUALIFIED_DECIDED
    assert machines.why_not("nrm", nrm.status, "cg_positive").startswith("This referral is")


def test_a_disqualification_needs_a_positive_rg_first(world, nrm):
    refusal = machines.why_not("nrm", nrm.status, "disqualify")
    assert refusal and "cannot be done" in refusal
    with pytest.raises(ValidationError, match="cannot be done"):
        act(world, nrm, "disqualify", decided_on=dt.date(2027, 3, 1), reason="x")


def test_the_database_refuses_a_disqualification_without_its_reasons(world, nrm):
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            referral=nrm,
            kind="disqualification",
            outcome="disqualified",
            received_on=dt.date(2027, 3, 1),
            recorded_by=world.lead,
        )


# --- The person withdraws from the NRM ------------------------------------------------------


def test_the_person_withdrawing_ends_support_and_stops_the_chasing(world, nrm):
    recovery = positive(world, nrm)
    with time_machine.travel(NOW + dt.timedelta(days=4), tick=False):
        with pytest.raises(ValidationError, match="Enter the date"):
            act(world, nrm, "person_withdraws", decided_on=None, reason="Wrote to the SCA")
        act(world, nrm, "person_withdraws", decided_on=dt.date(2027, 3, 4), reason="Letter")
    recovery.refresh_from_db()
    assert recovery.satisfied_by == "ended: the person withdrew from the NRM"
    not_before = Deadline.objects.get(referral=nrm, timer=Timer.CG_NOT_BEFORE)
    assert not_before.cancelled_at is not None
    nrm.refresh_from_db()
    assert nrm.status == machines.PERSON_WITHDREW
    assert machines.why_not("nrm", nrm.status, "cg_positive").startswith("This referral is")
    assert nrm.transitions.last().reason == "Withdrew on 4 March 2027. Letter"


def test_a_child_cannot_be_recorded_as_withdrawing_from_the_nrm(
    world,
    log_concern,
    organisation,
    recipient,
):
    with time_machine.travel(NOW, tick=False):
        case = open_case(world, log_concern, date_of_birth=dt.date(2012, 1, 1))
        childrens = start(world, case, pathway="childrens_services", recipient=recipient)
        act(world, childrens, "submit")
        nrm = start(world, case, recipient=recipient)
        act(world, nrm, "submit")
        with pytest.raises(ValidationError, match="a child does not withdraw"):
            act(world, nrm, "person_withdraws", decided_on=dt.date(2027, 3, 1), reason="Asked")
    nrm.refresh_from_db()
    assert nrm.status == machines.SUBMITTED


# --- The defence notice for police and prosecutors -----------------------------------------


class _Kinds:
    def __init__(self, *codes):
        self.codes = codes

    def all(self):
        return [type("Kind", (), {"code": code}) for code in self.codes]


class _Concern:
    def __init__(self, *codes, county_lines=False):
        self.exploitation_types = _Kinds(*codes)
        self.county_lines = county_lines


@pytest.mark.parametrize(
    "concerns, child, shown",
    [
        ([_Concern("labour")], False, False),
        ([_Concern("labour", "criminal")], False, True),
        ([_Concern(county_lines=True)], False, True),
        ([_Concern("sexual")], True, True),
        ([], False, False),
    ],
)
@pytest.mark.parametrize("where", NATIONS)
def test_the_defence_notice_shows_for_criminal_exploitation_or_a_child(
    concerns, child, shown, where
):
    notice = defence.defence_notice(concerns=concerns, child=child, nation=where)
    assert (notice is not None) is shown
    if notice:
        expected = {"ENG": "s.45", "SCT": "s.8", "NIR": "s.22"}[where]
        assert expected in notice.title
        assert ("Schedule 4" in notice.text) is (where == "ENG")


def test_the_case_page_shows_the_defence_notice_for_a_child(client, world, nrm, nation):
    case = nrm.case
    case.person.date_of_birth = dt.date(2015, 1, 1)
    case.person.save()
    with time_machine.travel(NOW, tick=False):
        sign_in(client, world.lead, secret=world.totp[world.lead.pk])
        html = client.get(reverse("cases:case_detail", args=[case.reference])).content.decode()
    assert defence.NOTICES[nation].title in html.replace("&#x27;", "'")


# --- The pages ------------------------------------------------------------------------------


def test_the_help_page_lists_every_step_that_moves_or_ends_a_timer(client, world, nation):
    sign_in(client, world.frontline)
    html = client.get(reverse("referrals:deadline_rules")).content.decode()
    for step in help.step_help(nation):
        assert step.label in html
    assert "Nationality and Borders Act 2022, s.63" in html


def test_a_refused_extension_keeps_what_was_typed(client, world, nrm):
    negative(world, nrm)
    url = reverse("referrals:transition", args=[nrm.reference])
    with time_machine.travel(NOW, tick=False):
        sign_in(client, world.lead, secret=world.totp[world.lead.pk])
        response = client.post(
            url,
            {
                "action": "extend_reconsideration",
                "reason": "Detained, no access to a lawyer",
                "new_last_day": "2027-03-31",
                "submission_token": "t1",
            },
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Detained, no access to a lawyer" in html
    assert "after the current last day" in html
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            url,
            {
                "action": "extend_reconsideration",
                "reason": "Detained, no access to a lawyer",
                "new_last_day": "2027-04-14",
                "submission_token": "t2",
            },
        )
        assert response.status_code == 302
        html = client.get(reverse("referrals:detail", args=[nrm.reference])).content.decode()
    assert "Extended from" in html and "Detained, no access to a lawyer" in html


def test_settings_nation_fixture_is_applied(nation):
    assert OrganisationSettings.load().nation == nation


def test_the_pack_carries_the_disqualification_and_the_defence_notice(
    world, log_concern, organisation, recipient, reference_data
):
    from django.template.loader import render_to_string

    from cases.models import ExploitationType
    from documents import pdfs

    with time_machine.travel(NOW, tick=False):
        case = open_case(world, log_concern)
        case.concerns.get().exploitation_types.add(ExploitationType.objects.get(code="criminal"))
        nrm = start(world, case, recipient=recipient)
        consent(world, nrm)
        act(world, nrm, "submit")
        act(world, nrm, "rg_positive", decided_on=dt.date(2027, 3, 1))
        act(world, nrm, "disqualify", decided_on=dt.date(2027, 3, 1), reason="Convicted abroad")
        nrm.refresh_from_db()
        context = pdfs.referral_pack_context(nrm)
    assert context["defence"] == defence.NOTICES["ENG"]
    html = render_to_string("pdf/includes/pack_decisions.html", context)
    assert "Public order disqualification" in html and "Convicted abroad" in html
    assert "Ended 1 March 2027: ended: public order disqualification" in html
    assert "s.50A(5)" in html


def test_deadlines_recorded_before_extensions_were_kept_keep_their_meaning(world, nrm):
    """Migration 0009 only adds columns: an earlier recovery extension (its reason, no
    earlier day) and an earlier decision (no revision) stay valid and read as before."""
    recovery = positive(world, nrm)
    due = recovery.due_at
    Deadline.objects.filter(pk=recovery.pk).update(extended_reason="Extended before 0009")
    recovery.refresh_from_db()
    recovery.full_clean()
    assert (recovery.due_at, recovery.extended_from) == (due, None)
    decision = nrm.decisions.get()
    assert decision.revises is None and not decision.is_superseded


def test_the_referral_page_offers_each_new_step_and_shows_the_outcome(client, world, nrm):
    positive(world, nrm)
    page = reverse("referrals:detail", args=[nrm.reference])
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        sign_in(client, world.lead, secret=world.totp[world.lead.pk])
        html = client.get(page).content.decode()
        for action in ("revise_rg_negative", "disqualify", "person_withdraws"):
            assert machines.NRM[machines.RG_POSITIVE][action].label in html
        act(world, nrm, "disqualify", decided_on=dt.date(2027, 3, 3), reason="Bad faith claim")
        html = client.get(page).content.decode()
    assert "Disqualified from protection (public order)" in html
    assert "Nationality and Borders Act 2022 s.63" in html and "Bad faith claim" in html
