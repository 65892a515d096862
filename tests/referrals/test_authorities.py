"""Issue 18, item 3: a referral's Reasonable Grounds and Conclusive Grounds timers come from the
competent authority that decides it (the Single Competent Authority, the Immigration
Enforcement Competent Authority, or a devolved pilot's local panel for a child), each
configurable by administrators. Each rule pinned just before, at and after its boundary in
each nation, across a weekend and bank holidays."""

import datetime as dt
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from contacts.models import Organisation
from referrals import rules, services
from referrals.deadlines import AUTHORITY_TIMERS, UK, Rule, Timer
from referrals.forms import ReferralStartForm
from referrals.models import AuthorityRule, CompetentAuthority, Deadline, Referral
from safeguard.choices import Pathway
from safeguard.models import AuditEvent, OrganisationSettings
from tests.auth import request_as, sign_in
from tests.referrals.factories import DeadlineFactory
from tests.referrals.test_referrals import EXPLAINED_ALL, act, open_case

ENG, SCT, NIR = "ENG", "SCT", "NIR"
SCA, IECA, PILOT = "sca", "ieca", "child_pilot"
US = dt.timedelta(microseconds=1)

# Thursday before Easter: Good Friday (3 April) is a bank holiday in every nation, Easter
# Monday (6 April) in England and Wales and Northern Ireland only.
EASTER = dt.datetime(2026, 4, 2, 10, 0, tzinfo=UK)
# A Saturday: counting starts on Monday; St Patrick's Day (Tuesday 17 March) is Northern
# Ireland's only.
WEEKEND = dt.datetime(2026, 3, 14, 10, 0, tzinfo=UK)

# The lengths each authority is given here: the SCA's seeded 5 working days, and two others
# an administrator set, so that each authority's own row is seen to be read.
LENGTHS = {SCA: 5, IECA: 7, PILOT: 10}

# The last working day of the RG timer, worked out by hand from the bank-holiday calendars.
RG_LAST_DAY = {
    (SCA, "easter", ENG): dt.date(2026, 4, 13),
    (SCA, "easter", SCT): dt.date(2026, 4, 10),  # Easter Monday is a working day in Scotland
    (SCA, "easter", NIR): dt.date(2026, 4, 13),
    (SCA, "weekend", ENG): dt.date(2026, 3, 20),
    (SCA, "weekend", SCT): dt.date(2026, 3, 20),
    (SCA, "weekend", NIR): dt.date(2026, 3, 23),  # St Patrick's Day is not counted
    (IECA, "easter", ENG): dt.date(2026, 4, 15),
    (IECA, "easter", SCT): dt.date(2026, 4, 14),
    (IECA, "easter", NIR): dt.date(2026, 4, 15),
    (IECA, "weekend", ENG): dt.date(2026, 3, 24),
    (IECA, "weekend", SCT): dt.date(2026, 3, 24),
    (IECA, "weekend", NIR): dt.date(2026, 3, 25),
    (PILOT, "easter", ENG): dt.date(2026, 4, 20),
    (PILOT, "easter", SCT): dt.date(2026, 4, 17),
    (PILOT, "easter", NIR): dt.date(2026, 4, 20),
    (PILOT, "weekend", ENG): dt.date(2026, 3, 27),
    (PILOT, "weekend", SCT): dt.date(2026, 3, 27),
    (PILOT, "weekend", NIR): dt.date(2026, 3, 30),
}
STARTS = {"easter": EASTER, "weekend": WEEKEND}


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=UK).astimezone(dt.UTC)


def start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=UK).astimezone(dt.UTC)


def set_lengths(authority: str, *, rg: int | None = None, cg: int | None = None, by=None):
    row = AuthorityRule.objects.get(authority=authority)
    row.rg_working_days = rg or row.rg_working_days
    row.cg_not_before_days = cg or row.cg_not_before_days
    row.updated_by = by
    row.save()
    return row


def in_nation(organisation, nation: str) -> None:
    organisation.nation = nation
    organisation.holds_duty_to_notify = nation == ENG
    organisation.save()


@pytest.fixture
def sca_office(db):
    return Organisation.objects.create(name="Single Competent Authority", coverage_national=True)


def nrm_for(world, log_concern, recipient, authority: str, name: str = "Ana") -> Referral:
    """An NRM referral ready to submit, decided by `authority`: a child's (after their
    Children's Services referral) for the pilot, an adult's (with consent) otherwise. A
    second one for the same authority needs another `name`: two Anas born the same day
    would be a possible duplicate, which a new case must confirm."""
    child = authority == PILOT
    case = open_case(
        world,
        log_concern,
        name=name,
        **({"date_of_birth": dt.date(2012, 5, 1)} if child else {}),
    )
    if child:
        first = services.referral_create(
            request=request_as(world.lead),
            case=case,
            pathway=Pathway.CHILDRENS_SERVICES,
            recipient=recipient,
        )
        act(world, first, "submit")
    referral = services.referral_create(
        request=request_as(world.lead),
        case=case,
        pathway=Pathway.NRM,
        recipient=recipient,
        competent_authority=authority,
    )
    if not child:
        services.consent_record(
            request=request_as(world.lead),
            referral=referral,
            given=True,
            given_on=timezone.localdate(),
            how_explained="Explained with leaflet",
            explained=EXPLAINED_ALL,
            explained_in="English",
            interpreter_used=False,
            interpreter_language="",
            witnessed_by="",
        )
    return referral


# --- The rule: the authority's row laid over the organisation's -----------------------------


def test_the_timers_an_authority_sets_are_the_rg_decision_and_cg_not_before():
    assert {Timer.RG_DECISION, Timer.CG_NOT_BEFORE} == AUTHORITY_TIMERS
    assert set(rules.AUTHORITY_LENGTH_FIELDS) == AUTHORITY_TIMERS


def test_every_authority_has_a_seeded_row_with_the_national_lengths(db):
    rows = {
        r.authority: (r.rg_working_days, r.cg_not_before_days, r.set_here)
        for r in AuthorityRule.objects.all()
    }
    assert rows == {SCA: (5, 30, False), IECA: (5, 30, False), PILOT: (5, 30, False)}


def test_rule_for_lays_the_authoritys_lengths_over_the_organisations(db):
    organisation = OrganisationSettings.load()
    set_lengths(IECA, rg=7, cg=21)
    assert rules.rule_for(organisation, Timer.RG_DECISION, IECA) == Rule(7)
    assert rules.rule_for(organisation, Timer.CG_NOT_BEFORE, IECA) == Rule(21)
    # Timers the authority does not set, and a referral naming no authority: the organisation's.
    assert rules.rule_for(organisation, Timer.RECOVERY_PERIOD, IECA) == rules.rule_for(
        organisation, Timer.RECOVERY_PERIOD
    )
    assert rules.rule_for(organisation, Timer.RG_DECISION, "") == Rule(5)
    assert rules.rule_and_source(organisation, Timer.RG_DECISION, IECA) == (Rule(7), IECA)
    assert rules.rule_and_source(organisation, Timer.RECOVERY_PERIOD, IECA)[1] == ""


def test_an_authority_without_a_row_counts_with_the_organisations_lengths(db):
    organisation = OrganisationSettings.load()
    organisation.rg_working_days = 6
    organisation.save()
    AuthorityRule.objects.filter(authority=IECA).delete()
    assert rules.rule_for(organisation, Timer.RG_DECISION, IECA) == Rule(6)
    # And the deadline says so: its length is not the authority's.
    assert rules.rule_and_source(organisation, Timer.RG_DECISION, IECA) == (Rule(6), "")


def test_the_database_refuses_a_length_of_zero(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorityRule.objects.filter(authority=SCA).update(rg_working_days=0)


# --- RG due for each authority, in each nation, at its boundaries -----------------------------


@pytest.mark.parametrize("nation", [ENG, SCT, NIR])
@pytest.mark.parametrize("start", ["easter", "weekend"])
@pytest.mark.parametrize("authority", [SCA, IECA, PILOT])
def test_rg_decision_is_due_at_the_end_of_the_authoritys_last_working_day(
    world, log_concern, organisation, sca_office, authority, start, nation
):
    in_nation(organisation, nation)
    set_lengths(authority, rg=LENGTHS[authority])
    submitted = STARTS[start]
    with time_machine.travel(submitted, tick=False):
        referral = nrm_for(world, log_concern, sca_office, authority)
        act(world, referral, "submit")
    rg = Deadline.objects.get(referral=referral, timer=Timer.RG_DECISION)
    last_day = RG_LAST_DAY[(authority, start, nation)]

    assert rg.starts_at == submitted
    assert rg.due_at == end_of(last_day)
    assert rg.authority == authority
    # The day before its last day, the last instant of it, and just after.
    assert not rg.is_overdue(end_of(last_day - dt.timedelta(days=1)))
    assert not rg.is_overdue(rg.due_at - US)
    assert not rg.is_overdue(rg.due_at)
    assert rg.is_overdue(rg.due_at + US)
    assert rg.is_overdue(start_of(last_day + dt.timedelta(days=1)))


@pytest.mark.parametrize("nation", [ENG, SCT, NIR])
def test_cg_not_before_is_the_local_panels_own(
    world, log_concern, organisation, sca_office, nation
):
    in_nation(organisation, nation)
    set_lengths(PILOT, cg=14)
    with time_machine.travel(EASTER, tick=False):
        referral = nrm_for(world, log_concern, sca_office, PILOT)
        act(world, referral, "submit")
        act(world, referral, "rg_positive", decided_on=dt.date(2026, 4, 2))
    cg = Deadline.objects.get(referral=referral, timer=Timer.CG_NOT_BEFORE)
    # Day 0 is the decision day; the first day allowed is day 14, from 00:00.
    assert cg.due_at == start_of(dt.date(2026, 4, 16))
    assert cg.due_at - US == end_of(dt.date(2026, 4, 15))
    assert cg.authority == PILOT
    # The recovery period is the nation's, whoever decides.
    recovery = Deadline.objects.get(referral=referral, timer=Timer.RECOVERY_PERIOD)
    assert recovery.authority == ""


def test_a_referral_naming_no_authority_counts_with_the_organisations_length(
    world, log_concern, organisation, sca_office
):
    organisation.rg_working_days = 3
    organisation.save()
    with time_machine.travel(WEEKEND, tick=False):
        referral = nrm_for(world, log_concern, sca_office, SCA)
        # Started before authorities had rules of their own.
        Referral.objects.filter(pk=referral.pk).update(competent_authority="")
        referral.refresh_from_db()
        rg = services.deadline_start(
            timer=Timer.RG_DECISION, start=WEEKEND, case=referral.case, referral=referral
        )
    assert rg.due_at == end_of(dt.date(2026, 3, 18))
    assert rg.authority == ""


# --- Changing an authority's lengths --------------------------------------------------------


def _change_url(authority: str) -> str:
    row = AuthorityRule.objects.get(authority=authority)
    return reverse("admin:referrals_authorityrule_change", args=[row.pk])


def _post(client, authority, **data):
    fields = {"rg_working_days": "5", "cg_not_before_days": "30", "note": ""}
    fields.update(data)
    return client.post(_change_url(authority), fields)


def test_changing_an_authoritys_lengths_leaves_started_deadlines_where_they_were(
    client, world, log_concern, organisation, sca_office
):
    with time_machine.travel(WEEKEND, tick=False):
        before = nrm_for(world, log_concern, sca_office, SCA)
        act(world, before, "submit")
    started = Deadline.objects.get(referral=before, timer=Timer.RG_DECISION)
    assert started.due_at == end_of(dt.date(2026, 3, 20))

    client.force_login(world.admin)
    response = _post(client, SCA, rg_working_days="9", note="Checked against v3.11")
    assert response.status_code == 302

    started.refresh_from_db()
    assert started.due_at == end_of(dt.date(2026, 3, 20))
    with time_machine.travel(WEEKEND, tick=False):
        after = nrm_for(world, log_concern, sca_office, SCA, name="Bea")
        act(world, after, "submit")
    assert Deadline.objects.get(referral=after, timer=Timer.RG_DECISION).due_at == end_of(
        dt.date(2026, 3, 26)
    )
    row = AuthorityRule.objects.get(authority=SCA)
    assert (row.rg_working_days, row.updated_by, row.set_here) == (9, world.admin, True)


def test_a_change_is_audited_with_the_fields_that_changed(client, world):
    client.force_login(world.admin)
    _post(client, PILOT, rg_working_days="20", note="Panel terms of reference, May 2026")
    event = AuditEvent.objects.get(object_type="authorityrule")
    assert (event.actor, event.action, event.reference) == (world.admin, "change", PILOT)
    assert event.changed_fields == ["note", "rg_working_days"]
    # Never the values.
    assert "20" not in event.detail and "Panel" not in event.detail


def test_the_admin_says_started_deadlines_keep_their_due_times(client, world):
    client.force_login(world.admin)
    response = _post(client, IECA, rg_working_days="6")
    page = client.get(response["Location"]).content.decode()
    assert "Deadlines already started keep their due times" in page


@pytest.mark.parametrize("role", ["frontline", "lead", "manager"])
def test_only_administrators_change_an_authoritys_lengths(client, world, role):
    client.force_login(getattr(world, role))
    assert client.get(_change_url(SCA)).status_code == 403
    assert _post(client, SCA, rg_working_days="1").status_code == 403
    assert AuthorityRule.objects.get(authority=SCA).rg_working_days == 5
    assert not AuditEvent.objects.filter(object_type="authorityrule").exists()


def test_authorities_are_changed_never_added_or_deleted(client, world):
    client.force_login(world.admin)
    row = AuthorityRule.objects.get(authority=SCA)
    assert client.get(reverse("admin:referrals_authorityrule_add")).status_code == 403
    assert (
        client.post(reverse("admin:referrals_authorityrule_delete", args=[row.pk])).status_code
        == 403
    )
    assert AuthorityRule.objects.count() == 3


def test_the_admin_list_puts_back_a_missing_authority(client, world):
    AuthorityRule.objects.filter(authority=IECA).delete()
    client.force_login(world.admin)
    assert client.get(reverse("admin:referrals_authorityrule_changelist")).status_code == 200
    assert AuthorityRule.objects.filter(authority=IECA, rg_working_days=5).exists()


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "99999", "", "1.5", "5; DROP TABLE"])
def test_a_bad_length_is_a_form_error_that_keeps_what_was_typed(client, world, bad):
    client.force_login(world.admin)
    response = _post(client, PILOT, rg_working_days=bad, note="Our panel meets fortnightly")
    assert response.status_code == 200
    html = response.content.decode()
    assert "errornote" in html or "errorlist" in html
    assert "Our panel meets fortnightly" in html
    assert AuthorityRule.objects.get(authority=PILOT).rg_working_days == 5


# --- Migration and reference data -----------------------------------------------------------


def test_the_migration_seeds_each_authority_with_the_organisations_lengths(db):
    organisation = OrganisationSettings.load()
    organisation.rg_working_days, organisation.cg_not_before_days = 7, 28
    organisation.save()
    due = end_of(dt.date(2026, 4, 1))
    existing = DeadlineFactory(timer=Timer.RG_DECISION, due_at=due)
    AuthorityRule.objects.all().delete()
    migration = import_module("referrals.migrations.0010_authority_rules")

    migration.seed_authority_rules(apps, None)
    migration.seed_authority_rules(apps, None)  # again: nothing doubled

    assert {
        (r.authority, r.rg_working_days, r.cg_not_before_days) for r in AuthorityRule.objects.all()
    } == {(a, 7, 28) for a in (SCA, IECA, PILOT)}
    existing.refresh_from_db()
    assert (existing.due_at, existing.authority) == (due, "")


def test_a_new_installation_gets_the_national_lengths(db):
    OrganisationSettings.objects.all().delete()
    AuthorityRule.objects.all().delete()
    import_module("referrals.migrations.0010_authority_rules").seed_authority_rules(apps, None)
    assert set(AuthorityRule.objects.values_list("rg_working_days", "cg_not_before_days")) == {
        (5, 30)
    }


def test_reference_data_adds_missing_authorities_and_keeps_an_administrators_lengths(db):
    set_lengths(SCA, rg=8)
    AuthorityRule.objects.filter(authority=PILOT).delete()
    call_command("load_reference_data", verbosity=0)
    assert AuthorityRule.objects.get(authority=SCA).rg_working_days == 8
    assert AuthorityRule.objects.get(authority=PILOT).rg_working_days == 5


# --- Which authority: the start form and the service ----------------------------------------


def test_an_adults_nrm_referral_suggests_the_single_competent_authority(db):
    organisation = OrganisationSettings.load()
    organisation.child_pilot_site = True
    assert rules.suggested_authority(organisation, child=False) == SCA
    form = ReferralStartForm(child=False, suggested_authority=SCA)
    assert form["competent_authority"].initial == SCA
    offered = {value for value, _ in form.fields["competent_authority"].choices}
    assert offered == {"", SCA, IECA}  # a pilot panel decides only children's cases


def test_a_childs_nrm_referral_suggests_the_pilot_only_where_the_area_is_a_pilot_site(db):
    organisation = OrganisationSettings.load()
    assert rules.suggested_authority(organisation, child=True) == SCA
    organisation.child_pilot_site = True
    assert rules.suggested_authority(organisation, child=True) == PILOT


def test_the_case_page_offers_the_suggested_authority(client, world, log_concern, organisation):
    organisation.child_pilot_site = True
    organisation.save()
    case = open_case(world, log_concern, date_of_birth=dt.date(2012, 5, 1))
    client.force_login(world.lead)
    html = client.get(reverse("referrals:case_referrals", args=[case.reference])).content.decode()
    assert '<option value="child_pilot" selected>' in html


def test_an_nrm_referral_needs_an_authority_and_the_form_keeps_what_was_typed(
    client, world, log_concern, organisation
):
    case = open_case(world, log_concern)
    client.force_login(world.lead)
    page = reverse("referrals:case_referrals", args=[case.reference])
    response = client.post(
        page,
        {"pathway": "nrm", "competent_authority": "", "summary": "Lives above the car wash"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert services.NO_AUTHORITY in html
    assert "Lives above the car wash" in html
    assert not Referral.objects.exists()


@pytest.mark.parametrize("bad", ["nobody", "SCA", "child_pilot"])
def test_an_unknown_or_wrong_authority_is_a_form_error_not_a_500(
    client, world, log_concern, organisation, bad
):
    case = open_case(world, log_concern)  # an adult: the pilot is not offered
    client.force_login(world.lead)
    page = reverse("referrals:case_referrals", args=[case.reference])
    response = client.post(page, {"pathway": "nrm", "competent_authority": bad})
    assert response.status_code == 200
    assert services.NO_AUTHORITY in response.content.decode()
    assert not Referral.objects.exists()


def test_the_service_refuses_the_pilot_for_an_adult(world, log_concern, organisation):
    case = open_case(world, log_concern)
    with pytest.raises(ValidationError) as refused:
        services.referral_create(
            request=request_as(world.lead),
            case=case,
            pathway=Pathway.NRM,
            recipient=None,
            competent_authority=PILOT,
        )
    assert services.PILOT_CHILDREN_ONLY in str(refused.value)


def test_submitting_to_the_pilot_is_refused_once_they_are_found_to_be_an_adult(
    world, log_concern, organisation, sca_office
):
    with time_machine.travel(EASTER, tick=False):
        referral = nrm_for(world, log_concern, sca_office, PILOT)
        person = referral.case.person
        person.date_of_birth = dt.date(1990, 1, 1)
        person.save()
        with pytest.raises(ValidationError) as refused:
            act(world, referral, "submit")
    assert services.PILOT_CHILDREN_ONLY in str(refused.value)
    assert not Deadline.objects.filter(referral=referral, timer=Timer.RG_DECISION).exists()


def test_another_pathway_keeps_no_competent_authority(world, log_concern, organisation):
    case = open_case(world, log_concern)
    referral = services.referral_create(
        request=request_as(world.lead),
        case=case,
        pathway=Pathway.POLICE,
        recipient=None,
        competent_authority=SCA,
    )
    assert referral.competent_authority == ""


# --- What people read: the help page and the referral page ----------------------------------


def test_the_help_page_lists_each_authoritys_rg_and_cg_rows(client, world, organisation):
    set_lengths(IECA, rg=7)
    sign_in(client, world.frontline)
    html = client.get(reverse("referrals:deadline_rules")).content.decode()
    for timer in AUTHORITY_TIMERS:
        assert f'id="{timer}-authorities"' in html
    for label in CompetentAuthority.labels:
        assert html.count(f'<th scope="row" class="govuk-table__header">{label}</th>') == 2
    assert "7 working days" in html and "5 working days" in html and "30 days" in html
    assert "Local panel&#x27;s timescale: set it to what your panel has agreed" in html
    assert "Not set by your organisation yet" in html
    assert "HL4899" in html and "version 6.0" in html
    assert "those already started keep their due times" in html


def test_the_help_page_shows_the_panels_timescale_once_it_is_set(client, world, organisation):
    row = set_lengths(PILOT, rg=15, by=world.admin)
    row.note = "Agreed with the panel, terms of reference of May 2026"
    row.save()
    sign_in(client, world.frontline)
    html = client.get(reverse("referrals:deadline_rules")).content.decode()
    assert "15 working days" in html
    assert "Agreed with the panel, terms of reference of May 2026" in html
    assert "Not set by your organisation yet" not in html


def test_the_referral_page_says_who_decides_and_where_its_lengths_come_from(
    client, world, log_concern, organisation, sca_office
):
    set_lengths(IECA, rg=7)
    with time_machine.travel(WEEKEND, tick=False):
        referral = nrm_for(world, log_concern, sca_office, IECA)
        act(world, referral, "submit")
        client.force_login(world.lead)
        html = client.get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    assert "Decided by" in html
    assert "Immigration Enforcement Competent Authority" in html
    assert "within 7 working days of the referral" in html
    assert "length from the Immigration Enforcement Competent Authority's rule" in html
    assert reverse("referrals:deadline_rules") + "#authorities" in html


def test_the_referral_page_says_when_the_panels_timescale_is_not_set(
    client, world, log_concern, organisation, sca_office
):
    with time_machine.travel(EASTER, tick=False):
        referral = nrm_for(world, log_concern, sca_office, PILOT)
        client.force_login(world.lead)
        html = client.get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    assert "Your local panel's timescale has not been set yet" in html


# --- A started referral corrected: who it goes to, who decides it ----------------------------


def correct(world, referral, *, recipient, authority, reason="Passed to the IECA by the SCA"):
    return services.referral_correct(
        request=request_as(world.lead),
        referral=referral,
        recipient=recipient,
        competent_authority=authority,
        reason=reason,
    )


def test_a_new_authority_counts_the_open_rg_timer_again_from_its_start(
    world, log_concern, organisation, sca_office
):
    in_nation(organisation, ENG)
    set_lengths(IECA, rg=LENGTHS[IECA])
    with time_machine.travel(EASTER, tick=False):
        referral = nrm_for(world, log_concern, sca_office, SCA)
        act(world, referral, "submit")
    rg = Deadline.objects.get(referral=referral, timer=Timer.RG_DECISION)
    assert rg.due_at == end_of(RG_LAST_DAY[SCA, "easter", ENG])

    with time_machine.travel(EASTER + dt.timedelta(days=1), tick=False):
        correct(world, referral, recipient=sca_office, authority=IECA)

    rg.refresh_from_db()
    # Counted from the same start by the IECA's rule: as if it had been chosen at the start.
    assert (rg.due_at, rg.authority, rg.starts_at) == (
        end_of(RG_LAST_DAY[IECA, "easter", ENG]),
        IECA,
        EASTER,
    )
    assert rg.extended_from is None  # a correction, not an extension
    assert rg.next_reminder_at is not None and rg.next_reminder_at < rg.due_at
    entry = referral.case.chronology.get(title=f"Referral {referral.reference} corrected")
    assert "Decided by Immigration Enforcement" in entry.text and "was Single" in entry.text
    assert "Passed to the IECA by the SCA" in entry.text
    event = AuditEvent.objects.filter(reference=referral.reference).latest("at")
    assert event.changed_fields == ["competent_authority"]


def test_an_extended_last_day_is_kept_when_the_authority_changes(
    world, log_concern, organisation, sca_office
):
    with time_machine.travel(EASTER, tick=False):
        referral = nrm_for(world, log_concern, sca_office, SCA)
        act(world, referral, "submit")
    rg = Deadline.objects.get(referral=referral, timer=Timer.RG_DECISION)
    extended = rg.due_at + dt.timedelta(days=7)
    Deadline.objects.filter(pk=rg.pk).update(
        extended_from=rg.due_at, due_at=extended, extended_reason="Agreed by the SCA"
    )

    correct(world, referral, recipient=sca_office, authority=IECA)

    rg.refresh_from_db()
    assert rg.due_at == extended
    assert Referral.objects.get(pk=referral.pk).competent_authority == IECA


def test_the_recipient_is_corrected_and_both_names_are_in_the_chronology(
    world, log_concern, organisation, sca_office
):
    other = Organisation.objects.create(name="Modern Slavery Helpline", coverage_national=True)
    referral = nrm_for(world, log_concern, sca_office, SCA)

    correct(world, referral, recipient=other, authority=SCA, reason="Sent to the wrong office")

    referral.refresh_from_db()
    assert referral.recipient == other
    entry = referral.case.chronology.get(title=f"Referral {referral.reference} corrected")
    assert entry.text.splitlines()[0] == (
        "Goes to Modern Slavery Helpline (was Single Competent Authority)"
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"reason": " "}, "reason"),
        ({}, "recipient"),  # nothing changed
        ({"authority": PILOT}, "competent_authority"),  # an adult
        ({"authority": ""}, "competent_authority"),  # an NRM referral needs one
        ({"recipient": None}, "recipient"),  # a submitted referral went to someone
    ],
)
def test_a_correction_that_cannot_stand_is_refused_and_changes_nothing(
    world, log_concern, organisation, sca_office, change, field
):
    referral = nrm_for(world, log_concern, sca_office, SCA)
    act(world, referral, "submit")
    arguments = {"recipient": sca_office, "authority": SCA, "reason": "A reason", **change}

    with pytest.raises(ValidationError) as refused:
        correct(world, referral, **arguments)

    assert field in refused.value.message_dict
    referral.refresh_from_db()
    assert (referral.recipient, referral.competent_authority) == (sca_office, SCA)
    assert not referral.case.chronology.filter(title__endswith="corrected").exists()


def test_the_authority_that_made_the_cg_decision_stays(
    world, log_concern, organisation, sca_office
):
    referral = nrm_for(world, log_concern, sca_office, SCA)
    Referral.objects.filter(pk=referral.pk).update(status="cg_positive")

    with pytest.raises(ValidationError) as refused:
        correct(world, referral, recipient=sca_office, authority=IECA)

    assert "competent_authority" in refused.value.message_dict


def test_the_correction_page_keeps_what_was_typed_and_saves_once(
    client, world, log_concern, organisation, sca_office
):
    referral = nrm_for(world, log_concern, sca_office, SCA)
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])
    url = reverse("referrals:correct", args=[referral.reference])
    page = client.get(url)
    token = page.context["form"]["submission_token"].value()
    assert f'href="{url}"' in client.get(referral.get_absolute_url()).content.decode()

    missing = client.post(
        url, {"submission_token": token, "recipient": sca_office.pk, "competent_authority": IECA}
    )
    assert missing.status_code == 400
    assert "Enter why it is being corrected" in missing.content.decode()
    assert missing.context["form"]["competent_authority"].value() == IECA

    body = {
        "submission_token": token,
        "recipient": sca_office.pk,
        "competent_authority": IECA,
        "reason": "Passed to the IECA",
    }
    first, again = client.post(url, body), client.post(url, body)
    assert first.status_code == again.status_code == 302
    assert referral.case.chronology.filter(title__endswith="corrected").count() == 1
