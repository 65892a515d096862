"""Two records of one person made one (issue 19, item 2): concerns, cases and links move, the
merged record stays as a tombstone, audited and shown on both."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases import services
from cases.models import Case, ConcernLink, Exploiter, ExploiterLink, Person, PersonMerge
from safeguard import audit
from safeguard.choices import Role
from safeguard.models import AuditEvent
from tests.auth import request_as
from tests.cases.factories import CaseFactory, ConcernFactory, PersonFactory, case_in
from tests.concurrently import race, signed_in_client
from tests.factories import UserFactory


@pytest.fixture
def two(world):
    """Maria's case (the record that stays) and a second record of her, with a concern
    carrying a vehicle and a case whose exploiter has a phone."""
    keep = case_in(world, name="Maria Popescu")
    other_person = PersonFactory(name="Popescu, Maria", created_by=world.lead)
    other_case = CaseFactory(person=other_person, team=world.north, lead=world.lead)
    concern = ConcernFactory(person=other_person, team=world.north)
    ConcernLink.objects.create(concern=concern, kind="vehicle", value="AB12 CDE", normalised="X")
    return {
        "survivor": keep.person,
        "merged": other_person,
        "survivor_case": keep,
        "merged_case": other_case,
        "concern": concern,
    }


def merge(world, two, user=None):
    return services.person_merge(
        request=request_as(user or world.lead),
        survivor=two["survivor"],
        merged=two["merged"],
        reason="Same passport number on both records.",
    )


def merge_page(person, **query):
    url = reverse("cases:person_merge", args=[person.reference])
    return url + (f"?with={query['with']}" if query else "")


def test_a_merge_moves_concerns_cases_and_links_and_keeps_the_merged_record(db, world, two):
    exploiter = Exploiter.objects.create(case=two["merged_case"], phones="07700 900123")
    services.exploiter_links_sync(exploiter=exploiter)

    done = merge(world, two)

    survivor, merged = two["survivor"], two["merged"]
    assert (done.survivor, done.merged, done.merged_by) == (survivor, merged, world.lead)
    assert Person.objects.filter(pk=merged.pk).exists()  # a tombstone, not deleted
    assert set(survivor.cases.all()) == {two["survivor_case"], two["merged_case"]}
    assert list(survivor.concerns.all()) == [two["concern"]]
    assert not merged.cases.exists() and not merged.concerns.exists()
    assert ConcernLink.objects.get().concern.person == survivor
    assert ExploiterLink.objects.get().case.person == survivor
    for case in (two["survivor_case"], two["merged_case"]):
        titles = list(case.chronology.values_list("title", flat=True))
        assert f"Person record {merged.reference} merged into {survivor.reference}" in titles


def test_a_merge_is_audited_on_both_references(db, world, two):
    merge(world, two)

    events = AuditEvent.objects.filter(changed_fields__contains=["merged_into"]) | (
        AuditEvent.objects.filter(changed_fields__contains=["merged_from"])
    )
    assert {(e.reference, e.detail) for e in events} == {
        (two["merged"].reference, f"merged into {two['survivor'].reference}"),
        (two["survivor"].reference, f"merged from {two['merged'].reference}"),
    }


def test_a_record_is_merged_once_and_never_back(db, world, two):
    merge(world, two)

    with pytest.raises(ValidationError, match="already been merged"):
        merge(world, two)
    with pytest.raises(ValidationError, match="already been merged"):
        services.person_merge(
            request=request_as(world.lead),
            survivor=two["merged"],
            merged=two["survivor"],
            reason="The other way round.",
        )
    assert PersonMerge.objects.count() == 1


def test_the_database_refuses_a_second_merge_of_a_record(db, world, two):
    merge(world, two)
    third = PersonFactory(created_by=world.lead)

    with pytest.raises(IntegrityError), transaction.atomic():
        PersonMerge.objects.create(
            merged=two["merged"], survivor=third, merged_by=world.lead, reason="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonMerge.objects.create(merged=third, survivor=third, merged_by=world.lead, reason="x")


def test_the_audit_filter_by_person_follows_a_merge_both_ways(db, world, two):
    merged_case = two["merged_case"].reference
    merge(world, two)

    for person in (two["survivor"], two["merged"]):
        found = audit.references_of_person(person.reference)
        assert {two["survivor"].reference, two["merged"].reference, merged_case} <= found
        assert two["concern"].reference in found


def test_a_lead_checks_the_answers_then_merges_and_both_records_say_so(client, world, two):
    survivor, merged = two["survivor"], two["merged"]
    client.force_login(world.lead)
    form = client.get(merge_page(merged, **{"with": survivor.reference}))
    token = form.context["form"]["submission_token"].value()
    answers = {
        "submission_token": token,
        "other": survivor.reference,
        "keep": "other",
        "reason": "Same passport number on both records.",
    }

    check = client.post(merge_page(merged), {**answers, "action": "check"})

    assert "Check before you merge" in check.text
    assert f"Stays: {survivor.reference}" in check.text
    assert f"Merged into it: {merged.reference}" in check.text
    assert f"Merge {merged.reference} into {survivor.reference}" in check.text
    assert not PersonMerge.objects.exists()

    done = client.post(merge_page(merged), {**answers, "action": "confirm"})
    again = client.post(merge_page(merged), {**answers, "action": "confirm"})  # a double click

    assert done.status_code == again.status_code == 302
    assert done["Location"] == again["Location"]
    assert PersonMerge.objects.get().survivor == survivor
    case_page = client.get(reverse("cases:case_detail", args=[two["merged_case"].reference]))
    assert f"Merged from {merged.reference}" in case_page.text
    tombstone = client.get(merge_page(merged))
    assert f"was merged into {survivor.reference}" in tombstone.text
    assert "Continue" not in tombstone.text


def test_frontline_may_not_merge(client, world, two):
    client.force_login(world.frontline)

    assert client.get(merge_page(two["merged"])).status_code == 403


def test_a_lead_may_not_merge_a_record_they_cannot_see(client, world, two):
    client.force_login(world.lead_south)

    assert client.get(merge_page(two["merged"])).status_code == 404


def test_a_merge_may_not_move_a_case_the_lead_cannot_see(client, world, two):
    hidden_lead = UserFactory(role=Role.LEAD, teams=[world.north])
    CaseFactory(person=two["merged"], team=world.north, lead=hidden_lead, restricted=True)
    client.force_login(world.lead)

    refused = client.post(
        merge_page(two["survivor"]),
        {
            "other": two["merged"].reference,
            "keep": "this",
            "reason": "Same person.",
            "action": "confirm",
        },
    )

    assert "has a case you may not see" in refused.text
    assert not PersonMerge.objects.exists()
    assert Case.objects.filter(person=two["merged"]).count() == 2


def test_two_merges_of_the_same_records_at_once_make_one(transactional_db, world, two):
    survivor, merged = two["survivor"], two["merged"]
    one, other = signed_in_client(world.lead), signed_in_client(world.manager)
    answers = {"reason": "Same person.", "action": "confirm", "keep": "this"}

    # The two ways round: merged into survivor, and survivor into merged, by two people.
    first, second = race(
        lambda: list(Person.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])),
        lambda: one.post(
            merge_page(survivor), {**answers, "other": merged.reference, "submission_token": "a1"}
        ),
        lambda: other.post(
            merge_page(merged), {**answers, "other": survivor.reference, "submission_token": "b2"}
        ),
    )

    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 302]
    loser = first if first.status_code == 200 else second
    assert "already been merged" in loser.content.decode()
    [done] = PersonMerge.objects.all()
    assert {done.merged, done.survivor} == {survivor, merged}
    assert Case.objects.filter(person=done.survivor).count() == 2


def test_a_merge_fills_the_gaps_of_the_record_that_stays_and_never_overwrites(db, world, two):
    survivor, merged = two["survivor"], two["merged"]
    Person.objects.filter(pk=survivor.pk).update(
        aliases="Mari", nationalities="Romanian", date_of_birth=None, gender="unknown"
    )
    Person.objects.filter(pk=merged.pk).update(
        aliases="mari, M. Popescu",
        nationalities="Moldovan",
        languages="Romanian, Russian",
        gender="female",
        interpreter_needed=True,
        interpreter_language="Romanian",
    )

    merge(world, two)

    survivor.refresh_from_db()
    # Its own answers stay; what only the other record knew is added.
    assert survivor.nationalities == "Romanian"
    assert (survivor.languages, survivor.gender) == ("Romanian, Russian", "female")
    assert (survivor.interpreter_needed, survivor.interpreter_language) == (True, "Romanian")
    # Both records' names find the person: the other's name and its new aliases, once each.
    assert survivor.aliases == "Mari, Popescu, Maria, M. Popescu"
    event = AuditEvent.objects.get(changed_fields__contains=["merged_from"])
    assert {"aliases", "languages", "gender", "interpreter_needed"} <= set(event.changed_fields)
    assert "nationalities" not in event.changed_fields


def test_names_that_would_not_fit_in_the_aliases_stay_on_the_kept_merged_record(db, world, two):
    survivor, merged = two["survivor"], two["merged"]
    long_names = ", ".join(f"Alias number {n:03d}" for n in range(40))
    theirs = ", ".join(f"Other alias {n:03d}" for n in range(16))
    Person.objects.filter(pk=merged.pk).update(aliases=theirs)
    Person.objects.filter(pk=survivor.pk).update(aliases=long_names[:250].rsplit(",", 1)[0])

    merge(world, two)

    survivor.refresh_from_db()
    assert len(survivor.aliases) <= 300
    assert "Other alias 000" in survivor.aliases  # the first fitted
    assert "Other alias 015" not in survivor.aliases  # the last did not
    assert "Popescu, Maria" in survivor.aliases  # the other record's name fitted
    assert Person.objects.get(pk=merged.pk).aliases  # the merged record keeps its own
