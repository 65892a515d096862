"""Which menu entry each page marks as current: one table (`navigation.SECTIONS`), checked
against the whole URLconf so that a new page cannot fall outside it."""

import re

import pytest
from django.apps import apps
from django.urls import reverse

from safeguard import navigation
from tests.security.test_url_policy import URLS

MENU = {item.url_name for c in apps.get_app_configs() for item in getattr(c, "navigation", ())}


def _has_entry(name: str) -> bool:
    return name in navigation.SECTIONS or any(
        p.endswith("*") and name.startswith(p[:-1]) for p in navigation.SECTIONS
    )


@pytest.mark.parametrize(("name", "arguments"), URLS, ids=[name for name, _ in URLS])
def test_every_url_belongs_to_a_menu_entry_or_to_none_by_name(name, arguments):
    assert _has_entry(name), f"add {name!r} to safeguard.navigation.SECTIONS"
    section = navigation.section_of(name)
    assert section is None or section in MENU, f"{name}: {section!r} is not a menu entry"


def test_every_menu_entry_is_its_own_section():
    assert all(navigation.section_of(name) == name for name in MENU)


def _current(html: str) -> list[str]:
    return re.findall(
        r'moj-primary-navigation__link" aria-current="page" href="[^"]*">([^<]+)<', html
    )


def test_triage_pages_mark_triage_not_log_a_concern(client, world, log_concern, reference_data):
    concern = log_concern(world.frontline, name="Ana Example")
    client.force_login(world.lead)

    for address in [
        reverse("cases:triage_queue"),
        reverse("cases:concern_triage", args=[concern.reference]),
    ]:
        assert _current(client.get(address).content.decode()) == ["Triage"], address


def test_each_page_marks_one_entry_at_most(client, world, log_concern, reference_data):
    concern = log_concern(world.frontline, name="Ana Example")
    client.force_login(world.frontline)

    pages = {
        reverse("cases:concern_start"): ["Log a concern"],
        reverse("cases:my_concerns"): ["Your concerns"],
        reverse("cases:concern_detail", args=[concern.reference]): ["Your concerns"],
        reverse("contacts:directory"): ["Contacts"],
        reverse("referrals:deadline_rules"): [],  # frontline have no Deadlines entry
        reverse("usersessions_list"): [],
    }
    for address, expected in pages.items():
        response = client.get(address, follow=True)
        assert _current(response.content.decode()) == expected, address
