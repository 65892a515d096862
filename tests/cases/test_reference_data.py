"""The indicator checklist and exploitation types shipped in fixtures/, and their admin pages."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from cases.models import AppliesTo, ExploitationType, Indicator, IndicatorGroup

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
# CI checks the repository out with shared/ beside it.
DOMAIN = Path(settings.BASE_DIR).parent / "shared" / "DOMAIN.md"

# The stable keys: answers and fixtures find indicators by these, so they never change.
EXPECTED_CODES = {
    IndicatorGroup.PHYSICAL: [
        "physical-injuries-control",
        "physical-head-symptoms",
        "physical-stomach-symptoms",
        "physical-heart-symptoms",
        "physical-muscle-joint-pain",
        "physical-ownership-marks",
        "physical-work-injuries",
        "physical-poor-health",
    ],
    IndicatorGroup.PSYCHOLOGICAL: [
        "psychological-fear-anxiety",
        "psychological-low-mood",
        "psychological-trauma",
        "psychological-drugs-alcohol",
        "psychological-self-harm",
        "psychological-hostility",
        "psychological-self-blame",
    ],
    IndicatorGroup.SEXUAL_HEALTH: [
        "sexual-health-pregnancy",
        "sexual-health-infections",
        "sexual-health-injuries",
    ],
    IndicatorGroup.SITUATIONAL: [
        "situational-distrusts-authorities",
        "situational-coached",
        "situational-spoken-for",
        "situational-unaware-location",
        "situational-immigration-fear",
        "situational-family-fear",
        "situational-work-only-english",
        "situational-not-free",
        "situational-little-or-no-pay",
        "situational-long-hours",
        "situational-large-debt",
        "situational-documents-held",
        "situational-lives-at-work",
        "situational-few-possessions",
        "situational-job-not-as-promised",
    ],
    IndicatorGroup.FORCED_LABOUR: [
        "ilo-abuse-of-vulnerability",
        "ilo-deception",
        "ilo-restriction-of-movement",
        "ilo-isolation",
        "ilo-physical-sexual-violence",
        "ilo-intimidation-threats",
        "ilo-retention-of-documents",
        "ilo-withholding-of-wages",
        "ilo-debt-bondage",
        "ilo-abusive-conditions",
        "ilo-excessive-overtime",
    ],
    IndicatorGroup.CHILD: [
        "child-begging-crime",
        "child-household-chores",
        "child-not-with-parents",
        "child-many-children-address",
        "child-not-in-school",
        "child-no-gp",
        "child-travelling-alone",
        "child-older-boyfriend",
        "child-cannabis-farm",
        "child-county-lines",
        "child-street-theft",
    ],
}
CODE_PREFIX = {
    IndicatorGroup.PHYSICAL: "physical-",
    IndicatorGroup.PSYCHOLOGICAL: "psychological-",
    IndicatorGroup.SEXUAL_HEALTH: "sexual-health-",
    IndicatorGroup.SITUATIONAL: "situational-",
    IndicatorGroup.FORCED_LABOUR: "ilo-",
    IndicatorGroup.CHILD: "child-",
}
# DOMAIN.md, "Indicators": the bold group names, in the order it lists them.
DOMAIN_GROUPS = {
    "Physical": IndicatorGroup.PHYSICAL,
    "Psychological": IndicatorGroup.PSYCHOLOGICAL,
    "Sexual health": IndicatorGroup.SEXUAL_HEALTH,
    "Situational and environmental": IndicatorGroup.SITUATIONAL,
    "ILO forced-labour indicators": IndicatorGroup.FORCED_LABOUR,
    "Child-specific": IndicatorGroup.CHILD,
}
EXPLOITATION_TYPES = [
    "sexual",
    "labour",
    "domestic_servitude",
    "criminal",
    "organ_harvesting",
    "unknown",
]
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_reference_data", verbosity=0)


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def domain_phrases() -> dict[str, list[str]]:
    """Each group's phrases from DOMAIN.md's indicator list, split on semicolons."""
    if not DOMAIN.exists():
        pytest.skip(f"{DOMAIN} is not here (CI has shared/ beside the repository)")
    section = DOMAIN.read_text().split("## Indicators", 1)[1].split("\n## ", 1)[0]
    bullets, current = {}, None
    for line in section.splitlines():
        start = re.match(r"- \*\*(.+?)\*\*(?: \(.*?\))?:(.*)", line)
        if start:
            current = DOMAIN_GROUPS[start.group(1)]
            bullets[current] = start.group(2)
        elif current and line.startswith("  "):
            bullets[current] += " " + line.strip()
        else:
            current = None
    return {
        group: [phrase.strip(" .") for phrase in text.split(";") if phrase.strip(" .")]
        for group, text in bullets.items()
    }


# --- The fixture files ----------------------------------------------------------------------


def test_the_fixtures_hold_reference_data_only_and_load_by_natural_key():
    for name, model in [
        ("indicators.json", "cases.indicator"),
        ("exploitation_types.json", "cases.exploitationtype"),
    ]:
        entries = json.loads((FIXTURES / name).read_text())
        assert {entry["model"] for entry in entries} == {model}
        assert all("pk" not in entry for entry in entries), name


def test_every_group_has_indicators_in_the_listed_order(loaded):
    for group in IndicatorGroup:
        codes = list(
            Indicator.objects.filter(group=group).order_by("order").values_list("code", flat=True)
        )
        assert codes == EXPECTED_CODES[group], group
        orders = list(
            Indicator.objects.filter(group=group).order_by("order").values_list("order", flat=True)
        )
        assert orders == list(range(1, len(codes) + 1)), group


def test_the_eleven_ilo_indicators_are_all_present(loaded):
    ilo = Indicator.objects.filter(group=IndicatorGroup.FORCED_LABOUR)

    assert ilo.count() == 11
    assert {"ilo-debt-bondage", "ilo-deception", "ilo-retention-of-documents"} <= set(
        ilo.values_list("code", flat=True)
    )
    assert set(ilo.values_list("source", flat=True)) == {"ILO forced labour indicators"}


def test_child_specific_indicators_apply_to_children(loaded):
    child = Indicator.objects.filter(group=IndicatorGroup.CHILD)

    assert child.exists()
    assert set(child.values_list("applies_to", flat=True)) == {AppliesTo.CHILDREN}
    # And nothing outside the child group is hidden from children's concerns.
    assert (
        not Indicator.objects.exclude(group=IndicatorGroup.CHILD)
        .filter(applies_to=AppliesTo.CHILDREN)
        .exists()
    )


def test_codes_are_unique_stable_slugs_prefixed_by_their_group(loaded):
    codes = list(Indicator.objects.values_list("code", flat=True))

    assert len(codes) == len(set(codes)) == sum(len(c) for c in EXPECTED_CODES.values())
    for indicator in Indicator.objects.all():
        assert SLUG.match(indicator.code), indicator.code
        assert indicator.code.startswith(CODE_PREFIX[indicator.group]), indicator.code


def test_every_indicator_is_a_short_current_sourced_checklist_item(loaded):
    for indicator in Indicator.objects.all():
        assert 0 < len(indicator.text) < 140, indicator.code
        assert indicator.source, indicator.code
        assert not indicator.retired, indicator.code
    assert Indicator.objects.current().count() == Indicator.objects.count()


def test_loading_twice_adds_nothing(loaded):
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    types = dict(ExploitationType.objects.values_list("code", "pk"))

    call_command("load_reference_data", verbosity=0)

    assert dict(Indicator.objects.values_list("code", "pk")) == indicators
    assert dict(ExploitationType.objects.values_list("code", "pk")) == types


def test_exploitation_types_are_exactly_the_six_nrm_categories(loaded):
    types = list(ExploitationType.objects.order_by("order"))

    assert [t.code for t in types] == EXPLOITATION_TYPES
    assert [t.order for t in types] == [1, 2, 3, 4, 5, 6]
    assert not any(t.retired for t in types)
    assert "county lines" in ExploitationType.objects.get(code="criminal").name.lower()


def test_a_retired_indicator_stays_readable(loaded):
    Indicator.objects.filter(code="child-no-gp").update(retired=True)

    assert not Indicator.objects.current().filter(code="child-no-gp").exists()
    assert Indicator.objects.get(code="child-no-gp").text
    assert Indicator.objects.get_by_natural_key("child-no-gp").retired


# --- Written in our own words ---------------------------------------------------------------


def test_every_group_in_domain_is_covered_at_least_item_for_item(loaded):
    for group, phrases in domain_phrases().items():
        assert Indicator.objects.filter(group=group).count() >= len(phrases), group
    assert set(domain_phrases()) == set(IndicatorGroup)


def test_no_indicator_text_is_copied_from_domain(loaded):
    phrases = [normalise(p) for group in domain_phrases().values() for p in group]
    assert len(phrases) > 40

    for indicator in Indicator.objects.all():
        text = normalise(indicator.text)
        assert text not in phrases, indicator.code
        # Nor is a whole phrase of four words or more lifted into a longer sentence.
        copied = [p for p in phrases if len(p.split()) >= 4 and p in text]
        assert copied == [], indicator.code


# --- The admin ------------------------------------------------------------------------------


def test_administrators_reach_the_indicator_and_exploitation_type_admin(client, world, loaded):
    client.force_login(world.admin)

    response = client.get("/admin/cases/indicator/")
    assert response.status_code == 200
    assert "ilo-debt-bondage" in response.content.decode()
    assert (
        client.get("/admin/cases/indicator/?group__exact=child&retired__exact=0").status_code == 200
    )
    assert client.get("/admin/cases/indicator/?q=debt").status_code == 200
    assert client.get("/admin/cases/exploitationtype/").status_code == 200


@pytest.mark.parametrize("who", ["frontline", "lead", "manager"])
def test_no_one_else_reaches_the_indicator_admin(client, world, loaded, who):
    client.force_login(getattr(world, who))

    assert client.get("/admin/cases/indicator/").status_code == 403
    assert client.get("/admin/cases/exploitationtype/").status_code == 403


def test_reference_data_is_never_deleted_even_by_an_administrator(client, world, loaded):
    client.force_login(world.admin)
    indicator = Indicator.objects.get(code="ilo-debt-bondage")
    criminal = ExploitationType.objects.get(code="criminal")

    url = reverse("admin:cases_indicator_delete", args=[indicator.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    type_url = reverse("admin:cases_exploitationtype_delete", args=[criminal.pk])
    assert client.post(type_url, {"post": "yes"}).status_code == 403
    # Nor through the bulk "delete selected" action.
    listing = client.get("/admin/cases/indicator/").content.decode()
    assert "delete_selected" not in listing
    assert Indicator.objects.filter(pk=indicator.pk).exists()
    assert ExploitationType.objects.filter(pk=criminal.pk).exists()


def test_the_code_is_read_only_once_created(client, world, loaded):
    client.force_login(world.admin)
    indicator = Indicator.objects.get(code="ilo-debt-bondage")

    change = client.get(reverse("admin:cases_indicator_change", args=[indicator.pk]))
    add = client.get(reverse("admin:cases_indicator_add"))

    assert change.status_code == 200
    assert 'name="code"' not in change.content.decode()
    assert 'name="code"' in add.content.decode()

    response = client.post(
        reverse("admin:cases_indicator_change", args=[indicator.pk]),
        {
            "code": "renamed",
            "group": indicator.group,
            "text": indicator.text,
            "applies_to": indicator.applies_to,
            "source": indicator.source,
            "order": indicator.order,
            "retired": "on",
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.code == "ilo-debt-bondage"
    assert indicator.retired


def test_reloading_keeps_an_administrators_edits_to_indicators(db):
    from django.core.management import call_command

    from cases.models import Indicator

    call_command("load_reference_data", verbosity=0)
    indicator = Indicator.objects.get(code="ilo-debt-bondage")
    indicator.retired = True
    indicator.text = "Edited by an administrator"
    indicator.save()

    call_command("load_reference_data", verbosity=0)

    indicator.refresh_from_db()
    assert indicator.retired and indicator.text == "Edited by an administrator"
