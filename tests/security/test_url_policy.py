"""Walks the whole URLconf against `access.URL_RULES`: the table the middleware enforces.

A URL added without a rule fails here; a rule removed or loosened changes an observed status
and fails the matrix.
"""

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from safeguard import access
from safeguard.models import Role

# Values for URL arguments; each one is tried until the pattern accepts it.
ARGUMENT_VALUES = {
    "app_label": ["safeguard"],
    "uidb36": ["1"],
    "key": ["set-password-key"],
    "job_id": ["00000000-0000-4000-8000-000000000001"],
    "evidence_id": ["00000000-0000-4000-8000-000000000002"],
    "bundle": ["00000000-0000-4000-8000-000000000003"],
}
DEFAULT_VALUES = ["1", "x"]


def all_url_names() -> list[tuple[str, list[str]]]:
    """Every named URL as (view name, argument names)."""
    found = []

    def walk(patterns, namespace="", outer=()):
        for pattern in patterns:
            arguments = (*outer, *pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, arguments)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.append((f"{namespace}{pattern.name}", arguments))

    walk(get_resolver().url_patterns)
    return sorted(set((name, tuple(args)) for name, args in found))


def build_url(name: str, arguments) -> str | None:
    kwargs = {}
    for argument in arguments:
        kwargs[argument] = ARGUMENT_VALUES.get(argument, DEFAULT_VALUES)[0]
    for fallback in DEFAULT_VALUES:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            kwargs = {a: ARGUMENT_VALUES.get(a, [fallback])[0] for a in arguments}
    return None


URLS = all_url_names()


def test_the_urlconf_is_not_empty():
    names = {name for name, _ in URLS}
    assert {"home", "account_login", "audit_log", "admin:index"} <= names


@pytest.mark.parametrize(("name", "arguments"), URLS, ids=[name for name, _ in URLS])
def test_every_url_has_an_access_rule(name, arguments):
    assert access.url_rule(name) is not None, f"add {name!r} to safeguard.access.URL_RULES"


def test_no_rule_is_left_over_for_a_url_that_no_longer_exists():
    names = {name for name, _ in URLS}
    stale = [
        rule
        for rule in access.URL_RULES
        if not (rule.endswith("*") and any(n.startswith(rule[:-1]) for n in names))
        and rule not in names
    ]
    assert stale == []


def test_a_url_name_without_a_rule_is_refused(client, world, settings, caplog):
    client.force_login(world.manager)
    rules = dict(access.URL_RULES)
    del rules["audit_log"]
    settings_rules = access.URL_RULES
    access.URL_RULES = rules
    try:
        response = client.get(reverse("audit_log"))
    finally:
        access.URL_RULES = settings_rules

    assert response.status_code == 404
    assert "No access rule for URL name 'audit_log'" in caplog.text


PROTECTED = [
    (name, arguments) for name, arguments in URLS if access.url_rule(name) != access.PUBLIC
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "arguments"), PROTECTED, ids=[n for n, _ in PROTECTED])
def test_anonymous_visitors_are_sent_to_sign_in(client, name, arguments):
    url = build_url(name, arguments)
    assert url is not None, f"cannot build a URL for {name}"

    response = client.get(url)

    assert response.status_code == 302, f"{name}: {response.status_code}"
    assert response["Location"].startswith(reverse("account_login"))


# Admin pages the URL rule lets administrators open but the admin itself then refuses:
# users, the organisation settings and reference data are never deleted, and autocomplete
# needs a query.
ADMIN_REFUSES = {
    "admin:safeguard_user_delete",
    "admin:safeguard_organisationsettings_delete",
    "admin:autocomplete",
    # Reference data is retired, never deleted, so that old answers stay readable.
    "admin:cases_indicator_delete",
    "admin:cases_exploitationtype_delete",
    # One row per competent authority, seeded: changed, never added or deleted.
    "admin:referrals_authorityrule_add",
    "admin:referrals_authorityrule_delete",
    # One row per kind of record in the retention schedule, seeded: the same.
    "admin:retention_retentionrule_add",
    "admin:retention_retentionrule_delete",
    # Reminders are written by the engine only: administrators read them.
    "admin:referrals_reminder_add",
    "admin:referrals_reminder_delete",
}


@pytest.mark.parametrize(("name", "arguments"), PROTECTED, ids=[n for n, _ in PROTECTED])
def test_role_matrix_matches_the_table(client, world, name, arguments):
    users = {
        Role.FRONTLINE: world.frontline,
        Role.LEAD: world.lead,
        Role.MANAGER: world.manager,
        Role.ADMIN: world.admin,
    }
    url = build_url(name, arguments)
    for role, user in users.items():
        client.force_login(user)
        status = client.get(url).status_code
        if role in access.url_rule(name) and name not in ADMIN_REFUSES:
            # Reached; the page itself may still say 404 (no such object, no such factor).
            assert status != 403, f"{role} should reach {name}, got {status}"
        else:
            assert status == 403, f"{role} should be refused {name}, got {status}"
