import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from safeguard.models import Role, User
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


def test_every_page_but_sign_in_and_health_requires_sign_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/"


@pytest.mark.parametrize(
    ("role_name", "heading"),
    [
        ("frontline", "Your concerns"),
        ("lead", "Your safeguarding work"),
        ("manager", "Your organisation's safeguarding work"),
        ("admin", "Administration"),
    ],
)
def test_each_role_lands_on_its_own_home_page(client, world, role_name, heading):
    user = getattr(world, role_name)

    html = sign_in(client, user, secret=world.totp.get(user.pk)).content.decode()

    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert user.full_name in html
    assert user.get_role_display() in html


def test_home_names_the_users_teams(client, world):
    html = sign_in(client, world.manager, secret=world.totp[world.manager.pk]).content.decode()

    assert "North team" in html and "South team" in html


def test_primary_navigation_shows_administration_to_administrators_only(client, world):
    for user, shown in [(world.admin, True), (world.lead, False), (world.manager, False)]:
        client.force_login(user)
        html = client.get(reverse("home")).content.decode()
        assert 'aria-label="Primary navigation"' in html
        assert ('href="/admin/"' in html) is shown
        assert re.search(r'aria-current="page" href="/">Home<', html)


@pytest.mark.parametrize("role", [Role.FRONTLINE, Role.LEAD, Role.MANAGER])
def test_only_administrators_reach_the_django_admin(client, world, role):
    user = next(u for u in [world.frontline, world.lead, world.manager] if u.role == role)
    client.force_login(user)

    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/safeguard/user/").status_code == 403


def test_administrator_reaches_the_django_admin(client, world):
    client.force_login(world.admin)

    assert client.get("/admin/safeguard/user/").status_code == 200


def test_signed_in_pages_are_never_cached_and_carry_exit_this_page(client, world):
    client.force_login(world.frontline)

    response = client.get(reverse("home"))

    assert response["Cache-Control"] == "no-store"
    assert 'data-module="govuk-exit-this-page"' in response.content.decode()
    assert f'href="{reverse("exit")}"' in response.content.decode()


def test_exit_this_page_ends_the_session_and_leaves_for_a_neutral_site(client, world, settings):
    client.force_login(world.frontline)

    response = client.get(reverse("exit"))

    assert response.status_code == 302
    assert response["Location"] == settings.EXIT_PAGE_URL
    assert client.get(reverse("home")).status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session(client, world):
    client.force_login(world.lead)

    client.get(reverse("account_logout"))  # a GET only asks "are you sure?"
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 302


def test_csp_allows_only_our_origin_and_the_page_nonce(client, world):
    client.force_login(world.lead)
    response = client.get(reverse("home"))
    html = response.content.decode()
    policy = response["Content-Security-Policy"]

    nonce = re.search(r'<script nonce="([^"]+)">', html).group(1)
    assert f"'nonce-{nonce}'" in policy
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_assets_come_from_our_own_static_files(client):
    html = client.get(reverse("account_login")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"#]+)"', html)

    assert sources, "the page links no assets"
    assert all(s.startswith("/") for s in sources), sources
    # Hashed names from the manifest, so a new release is never served from a stale cache.
    assert any(re.fullmatch(r"/static/build/application\.[0-9a-f]{12}\.css", s) for s in sources)
    assert any(re.fullmatch(r"/static/js/application\.[0-9a-f]{12}\.mjs", s) for s in sources)


def test_shell_adds_no_query_beyond_the_session_and_user(client, world, django_assert_num_queries):
    # The administrator's home has no panels from the domain apps (theirs are counted in
    # tests/referrals/test_home.py), so this counts the shell alone.
    client.force_login(world.admin)
    # The session, the user, and the caption's team names on this page. (Whether the user has
    # MFA is asked once per session, not per page.)
    client.get(reverse("home"))
    with django_assert_num_queries(3):
        client.get(reverse("home"))


def test_unknown_address_gets_the_not_found_page(client, world):
    client.force_login(world.lead)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_timeline_component_shows_events_in_uk_time_with_escaped_text():
    when = timezone.datetime(2026, 7, 1, 9, 30, tzinfo=timezone.UTC)
    html = render_to_string(
        "components/timeline.html",
        {
            "events": [
                {
                    "title": "Case opened",
                    "when": when,
                    "byline": "Lee Lead",
                    "description": "<script>alert(1)</script>",
                }
            ]
        },
    )

    assert "Case opened" in html and "by Lee Lead" in html
    assert "1 July 2026 at 10:30" in html  # 09:30 UTC is 10:30 British Summer Time
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_timeline_component_says_when_nothing_is_recorded():
    assert "Nothing has been recorded yet." in render_to_string(
        "components/timeline.html", {"events": []}
    )


def test_badge_and_sub_navigation_components_render_their_state():
    badge = render_to_string("components/badge.html", {"text": "Overdue", "colour": "red"})
    nav = render_to_string(
        "components/sub_navigation.html",
        {
            "label": "Case sections",
            "items": [
                {"text": "Overview", "href": "/a/", "active": True},
                {"text": "Referrals", "href": "/b/", "active": False},
            ],
        },
    )

    assert badge.strip() == '<strong class="moj-badge moj-badge--red">Overdue</strong>'
    assert 'aria-label="Case sections"' in nav
    assert re.search(r'aria-current="page" href="/a/">Overview<', nav)
    assert not re.search(r'aria-current="page" href="/b/"', nav)


def test_administrator_adds_a_user_who_is_invited_by_email(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/safeguard/user/add/",
            {
                "email": "New.Person@Example.test",
                "full_name": "New Person",
                "role": Role.LEAD,
                "teams": [world.south.pk],
            },
        )

    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(email="new.person@example.test")
    assert created.role == Role.LEAD
    assert list(created.teams.all()) == [world.south]
    assert not created.has_usable_password()
    [invitation] = mailoutbox
    assert invitation.to == ["new.person@example.test"]
    assert "/account/password/reset/key/" in invitation.body


def test_every_email_has_a_subject_a_text_and_an_html_template():
    # safeguard.email.make_message renders the three from one name: none may be missing.
    from pathlib import Path

    from django.conf import settings

    names = {
        str(path.relative_to(settings.BASE_DIR / "templates")).rsplit("_", 1)[0]
        for path in (settings.BASE_DIR / "templates").rglob("email/*_*.*")
    }
    assert {
        "referrals/email/reminder",
        "referrals/email/digest",
        "safeguard/email/invitation",
    } <= names
    for name in names:
        for part in ("subject.txt", "message.txt", "message.html"):
            assert Path(settings.BASE_DIR / "templates" / f"{name}_{part}").is_file(), (name, part)


def test_static_files_are_indexed_once_a_process_and_still_served(client):
    """Every test client builds its own middleware: the static files' index is shared, not
    made again (it was most of the suite's time), and a hashed file is still served."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    from safeguard.middleware import StaticFilesMiddleware

    first = StaticFilesMiddleware(lambda request: None)
    second = StaticFilesMiddleware(lambda request: None)

    assert first.files and first.files.keys() == second.files.keys()
    # The manifest's name: an earlier build's hashed copy may still be in STATIC_ROOT.
    url = staticfiles_storage.url("build/application.css")
    assert re.fullmatch(r"/static/build/application\.\w{12}\.css", url)
    assert first.files[url] is second.files[url]  # the same responder: one index
    response = client.get(url)
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
