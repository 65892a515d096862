"""The record rules (role x relation -> actions) and the one helper views fetch records with.

Cases arrive in a later issue; until then a Team stands in for a record, told how each user
relates to it, so that the helper's behaviour is tested on a real queryset and audit trail.
"""

import itertools

import pytest
from django.http import Http404
from django.test import RequestFactory

from safeguard import access
from safeguard.access import Action, Relation
from safeguard.models import AuditEvent, Role, Team

ROLES = list(Role)
RELATIONS = list(Relation)


def user_of(world, role):
    return {
        Role.FRONTLINE: world.frontline,
        Role.LEAD: world.lead,
        Role.MANAGER: world.manager,
        Role.ADMIN: world.admin,
    }[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("relation", RELATIONS)
def test_unrestricted_record_allows_exactly_the_tables_actions(world, role, relation):
    allowed = access.allowed_actions(user_of(world, role), {relation}, restricted=False)

    assert allowed == access.RECORD_RULES[role].get(relation, frozenset())


@pytest.mark.parametrize("role", ROLES)
def test_no_relation_means_no_access(world, role):
    assert access.allowed_actions(user_of(world, role), set(), restricted=False) == frozenset()


def test_administrators_get_no_case_data_whatever_their_relation(world):
    assert access.allowed_actions(world.admin, set(RELATIONS), restricted=False) == frozenset()


def test_frontline_sees_what_they_reported_but_cannot_edit_refer_or_export(world):
    allowed = access.allowed_actions(world.frontline, {Relation.REPORTER}, restricted=False)

    assert allowed == {Action.SEE_EXISTENCE, Action.VIEW, Action.ADD_NOTE}


def test_frontline_in_the_same_team_sees_nothing_of_a_case_they_are_not_on(world):
    assert (
        access.allowed_actions(world.frontline, {Relation.TEAM_MEMBER}, restricted=False) == set()
    )


def test_lead_works_their_teams_cases_but_cannot_restrict_or_reassign_them(world):
    allowed = access.allowed_actions(world.lead, {Relation.TEAM_MEMBER}, restricted=False)

    assert {Action.VIEW, Action.EDIT, Action.REFER, Action.EXPORT} <= allowed
    assert not allowed & {Action.MANAGE_MEMBERS, Action.REASSIGN, Action.SEE_VIEWERS}


def test_the_lead_of_a_case_answers_for_it(world):
    allowed = access.allowed_actions(world.lead, {Relation.CASE_LEAD}, restricted=False)

    assert {Action.MANAGE_MEMBERS, Action.REASSIGN, Action.SEE_VIEWERS} <= allowed


def test_manager_reads_and_reassigns_anything_in_the_organisation(world):
    allowed = access.allowed_actions(world.manager, {Relation.ORGANISATION}, restricted=False)

    assert allowed == {
        Action.SEE_EXISTENCE,
        Action.VIEW,
        Action.EXPORT,
        Action.MANAGE_MEMBERS,
        Action.REASSIGN,
        Action.SEE_VIEWERS,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("restricted", [False, True])
def test_a_closed_record_keeps_only_the_reads_and_reopening(world, role, relation, restricted):
    open_ = access.allowed_actions(user_of(world, role), {relation}, restricted=restricted)
    closed = access.allowed_actions(
        user_of(world, role), {relation}, restricted=restricted, closed=True
    )

    assert closed == open_ & {
        Action.SEE_EXISTENCE,
        Action.VIEW,
        Action.EXPORT,
        Action.SEE_VIEWERS,
        Action.REOPEN,  # those who could change it, with a reason (cases.services.case_reopen)
    }
    assert not closed & {Action.EDIT, Action.ADD_NOTE, Action.REFER, Action.MANAGE_MEMBERS}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("leads_it", [False, True])
def test_may_reassign_works_out_every_relation_that_carries_reassign(world, role, leads_it):
    # access.may_reassign looks only at leading the case and the organisation, so that a
    # list of deadlines needs no query per row: no other relation may change the answer.
    user = user_of(world, role)
    base = {Relation.ORGANISATION} | ({Relation.CASE_LEAD} if leads_it else set())
    expected = Action.REASSIGN in access.allowed_actions(user, base, restricted=False)
    for extra in itertools.chain.from_iterable(
        itertools.combinations([Relation.REPORTER, Relation.NAMED_MEMBER, Relation.TEAM_MEMBER], n)
        for n in range(4)
    ):
        relations = base | set(extra)
        assert (
            Action.REASSIGN in access.allowed_actions(user, relations, restricted=False)
        ) == expected, (role, relations)


@pytest.mark.parametrize("relation", [Relation.TEAM_MEMBER, Relation.ORGANISATION])
def test_restricted_case_shows_a_manager_outside_it_only_that_it_exists(world, relation):
    allowed = access.allowed_actions(world.manager, {relation}, restricted=True)

    assert allowed == {Action.SEE_EXISTENCE}


def test_restricted_case_hides_itself_from_a_lead_of_its_team_not_named_on_it(world):
    assert access.allowed_actions(world.lead, {Relation.TEAM_MEMBER}, restricted=True) == set()


def test_restricted_case_keeps_named_members_rights(world):
    allowed = access.allowed_actions(
        world.lead, {Relation.NAMED_MEMBER, Relation.TEAM_MEMBER}, restricted=True
    )

    assert allowed == access.RECORD_RULES[Role.LEAD][Relation.NAMED_MEMBER]


def test_deactivated_user_may_do_nothing(world):
    world.lead.is_active = False

    assert access.allowed_actions(world.lead, {Relation.CASE_LEAD}, restricted=False) == set()


@pytest.fixture
def record(world, monkeypatch):
    """A Team playing a record: the lead is its case lead; `restricted` can be switched on."""
    relations = {world.lead.pk: {Relation.CASE_LEAD}, world.manager.pk: {Relation.ORGANISATION}}
    monkeypatch.setattr(
        Team, "relations_to", lambda self, user: relations.get(user.pk, set()), raising=False
    )
    monkeypatch.setattr(Team, "is_restricted", False, raising=False)
    monkeypatch.setattr(Team, "audit_reference", "T-1", raising=False)
    return world.north


def request_as(user):
    request = RequestFactory().get("/records/1/")
    request.user = user
    request.request_id = "test-request"
    return request


def test_helper_returns_the_record_and_its_actions_and_records_the_view(world, record):
    granted = access.get_for_user(request_as(world.lead), Team.objects.all(), pk=record.pk)

    assert granted.obj == record
    assert granted.can(Action.EDIT)
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert (event.actor, event.object_type, event.object_id, event.reference) == (
        world.lead,
        "team",
        str(record.pk),
        "T-1",
    )


def test_helper_answers_404_to_a_user_with_no_relation_and_audits_the_refusal(world, record):
    with pytest.raises(Http404):
        access.get_for_user(request_as(world.frontline), Team.objects.all(), pk=record.pk)

    refused = AuditEvent.objects.get()
    assert refused.action == AuditEvent.Action.ACCESS_DENIED
    assert refused.actor == world.frontline


def test_helper_answers_the_same_404_for_a_record_that_does_not_exist(world, record):
    with pytest.raises(Http404):
        access.get_for_user(request_as(world.lead), Team.objects.all(), pk=record.pk + 1000)

    assert not AuditEvent.objects.exists()


def test_helper_refuses_an_action_the_user_lacks(world, record):
    with pytest.raises(Http404):
        access.get_for_user(
            request_as(world.manager), Team.objects.all(), action=Action.EDIT, pk=record.pk
        )


def test_helper_refuses_a_manager_view_of_a_restricted_record_they_are_not_named_on(
    world, record, monkeypatch
):
    monkeypatch.setattr(Team, "is_restricted", True, raising=False)

    with pytest.raises(Http404):
        access.get_for_user(request_as(world.manager), Team.objects.all(), pk=record.pk)
    with pytest.raises(Http404):
        access.get_for_user(
            request_as(world.manager), Team.objects.all(), action=Action.EXPORT, pk=record.pk
        )

    refusals = AuditEvent.objects.values_list("action", "detail")
    assert sorted(refusals) == [
        (AuditEvent.Action.ACCESS_DENIED, "export"),
        (AuditEvent.Action.ACCESS_DENIED, "view"),
    ]


def test_helper_gives_the_existence_of_a_restricted_record_only_when_asked_by_name(
    world, record, monkeypatch
):
    monkeypatch.setattr(Team, "is_restricted", True, raising=False)

    granted = access.get_for_user(
        request_as(world.manager), Team.objects.all(), action=Action.SEE_EXISTENCE, pk=record.pk
    )

    assert granted.actions == {Action.SEE_EXISTENCE}
    assert not granted.can(Action.VIEW)
    event = AuditEvent.objects.get()
    assert (event.action, event.detail) == (AuditEvent.Action.VIEW, "existence only")


def test_asking_for_existence_of_a_record_one_may_read_records_a_plain_view(world, record):
    granted = access.get_for_user(
        request_as(world.manager), Team.objects.all(), action=Action.SEE_EXISTENCE, pk=record.pk
    )

    assert granted.can(Action.VIEW)
    event = AuditEvent.objects.get()
    assert (event.action, event.detail) == (AuditEvent.Action.VIEW, "")
