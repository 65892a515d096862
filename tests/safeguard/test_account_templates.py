"""allauth's pages in our GOV.UK templates (templates/allauth, account, mfa, usersessions).

These check what a person meets: labelled fields, the error summary, our wording, and that
the forms still post what allauth expects.
"""

import re

import pytest
from django.urls import reverse

from safeguard.models import Role
from tests.auth import totp_code
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def label_for(html: str, field_id: str) -> str | None:
    """The text of the <label> tied to field_id, or None if there is none."""
    match = re.search(rf'<label[^>]*\bfor="{field_id}"[^>]*>(.*?)</label>', html, re.S)
    return " ".join(match.group(1).split()) if match else None


def input_tag(html: str, field_id: str) -> str:
    match = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', html, re.S)
    assert match, f"no input with id {field_id}"
    return match.group(0)


def sign_in(client, user, password=TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def confirm_password(client, password=TEST_PASSWORD):
    """allauth asks for the password again before a second factor is added."""
    return client.post(reverse("account_reauthenticate"), {"password": password})


# --- Sign in ---------------------------------------------------------------------------------


def test_sign_in_page_has_labelled_fields_the_999_warning_and_no_sign_up(client):
    html = client.get(reverse("account_login")).content.decode()

    assert "<title>Sign in \u2013 Safeguard</title>" in html
    assert html.count("<h1") == 1
    assert re.search(r"<h1[^>]*>\s*Sign in to Safeguard\s*</h1>", html)
    assert label_for(html, "id_login") == "Email address"
    assert label_for(html, "id_password") == "Password"
    assert 'autocomplete="email"' in input_tag(html, "id_login")
    assert 'autocomplete="current-password"' in input_tag(html, "id_password")
    assert "placeholder" not in html
    assert 'class="govuk-warning-text"' in html
    assert "If someone is in immediate danger, call 999 now. Do not wait to sign in." in html
    assert f'href="{reverse("account_reset_password")}">Forgotten your password?</a>' in html
    assert reverse("account_signup") not in html
    assert "sign up" not in html.lower() and "remember" not in html.lower()
    assert re.search(r"<button[^>]*govuk-button[^>]*>\s*Sign in\s*</button>", html)
    assert re.search(r'<form method="post"\s+action="/account/login/"\s+novalidate>', html)


def test_wrong_password_shows_the_error_summary_and_keeps_the_email(client, world):
    response = sign_in(client, world.frontline, password="not-the-password")
    html = response.content.decode()

    assert response.status_code == 200
    assert response.wsgi_request.user.is_anonymous
    assert "<title>Error: Sign in \u2013 Safeguard</title>" in html
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S).group(0)
    assert '<a href="#id_login">Enter a correct email address and password.</a>' in summary
    # The summary comes first, above the heading.
    assert html.index("govuk-error-summary") < html.index("<h1")
    assert f'value="{world.frontline.email}"' in input_tag(html, "id_login")
    # The password typed is never sent back.
    assert "not-the-password" not in html


def test_blank_sign_in_marks_each_field_in_error(client):
    html = client.post(reverse("account_login"), {"login": "", "password": ""}).content.decode()

    assert html.count('class="govuk-form-group govuk-form-group--error') == 2
    assert '<a href="#id_login">' in html and '<a href="#id_password">' in html
    login = input_tag(html, "id_login")
    assert "govuk-input--error" in login
    assert 'aria-describedby="id_login-error"' in login
    assert 'id="id_login-error" class="govuk-error-message"' in html


def test_right_password_signs_in(client, world):
    response = sign_in(client, world.frontline)

    assert response.status_code == 302
    assert response.wsgi_request.user == world.frontline


def test_sign_up_is_closed(client):
    response = client.get(reverse("account_signup"))
    html = response.content.decode()

    assert response.status_code == 200
    assert "Sign-up is closed" in html
    assert "created by your organisation's administrator" in html
    assert "ask your administrator to send you an invitation" in html
    assert "<form" not in html.split('id="main-content"')[1]


# --- Passwords -------------------------------------------------------------------------------


def test_reset_password_page_has_a_labelled_email_field(client):
    html = client.get(reverse("account_reset_password")).content.decode()

    assert label_for(html, "id_email") == "Email address"
    assert 'type="email"' in input_tag(html, "id_email")


def test_reset_password_sends_people_to_check_their_email(client, world, mailoutbox):
    response = client.post(
        reverse("account_reset_password"), {"email": world.frontline.email}, follow=True
    )

    assert "Check your email" in response.content.decode()
    assert len(mailoutbox) == 1


def test_set_password_link_that_does_not_work_says_it_has_expired(client, world):
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad-key"})

    html = client.get(url).content.decode()

    assert "This link has expired" in html
    assert "ask your organisation's administrator to send you a new invitation" in html
    assert f'href="{reverse("account_reset_password")}"' in html
    assert "<input" not in html.split('id="main-content"')[1]


def test_invitation_link_lets_a_new_user_set_their_password(client, world, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": world.frontline.email})
    link = re.search(r"https?://[^/\s]+(/account/password/reset/key/\S+/)", mailoutbox[0].body)

    page = client.get(link.group(1), follow=True)
    html = page.content.decode()

    assert "<title>Set your password \u2013 Safeguard</title>" in html
    assert label_for(html, "id_password1") == "New password"
    assert label_for(html, "id_password2") == "Confirm new password"
    assert 'aria-describedby="id_password1-hint"' in input_tag(html, "id_password1")
    assert "at least 12 characters" in html
    assert 'autocomplete="new-password"' in input_tag(html, "id_password2")

    action = page.redirect_chain[-1][0]
    too_short = client.post(action, {"password1": "short", "password2": "short"})
    html = too_short.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#id_password1">' in html
    assert 'value="short"' not in html

    new_password = "a-long-and-unusual-passphrase-2026"
    done = client.post(action, {"password1": new_password, "password2": new_password}, follow=True)
    assert "Your password has been set" in done.content.decode()
    world.frontline.refresh_from_db()
    assert world.frontline.check_password(new_password)


def test_change_password_page_labels_every_field(client, world):
    client.force_login(world.frontline)

    html = client.get(reverse("account_change_password")).content.decode()

    assert label_for(html, "id_oldpassword") == "Current password"
    assert label_for(html, "id_password1") == "New password"
    assert label_for(html, "id_password2") == "Confirm new password"
    # The sub navigation between the sign-in settings pages, this one current.
    assert 'class="moj-sub-navigation ' in html
    assert re.search(
        r'aria-current="page"\s+href="/account/password/change/">Change password</a>', html
    )


def test_confirm_password_page_labels_the_password(client, world):
    client.force_login(world.frontline)

    html = client.get(reverse("account_reauthenticate")).content.decode()

    assert re.search(r"<h1[^>]*>\s*Confirm it's you\s*</h1>", html)
    assert label_for(html, "id_password") == "Password"
    wrong = client.post(reverse("account_reauthenticate"), {"password": "nope"}).content.decode()
    assert '<a href="#id_password">' in wrong


def test_sign_out_asks_for_confirmation_with_a_button(client, world):
    client.force_login(world.frontline)

    html = client.get(reverse("account_logout")).content.decode()

    assert re.search(r"<h1[^>]*>\s*Sign out\s*</h1>", html)
    assert re.search(r"<button[^>]*govuk-button[^>]*>\s*Sign out\s*</button>", html)


# --- Two-factor authentication --------------------------------------------------------------


def test_authenticator_app_page_shows_the_qr_code_secret_and_a_labelled_code_field(client, world):
    # A lead who has not set up MFA yet: the middleware sends them to set it up.
    lead = UserFactory(role=Role.LEAD, teams=[world.north])
    assert sign_in(client, lead)["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")
    confirm_password(client)  # in case allauth asks for it again first

    response = client.get(reverse("mfa_activate_totp"))
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Your role can see sensitive case information" in html
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+"\s+alt="QR code', html)
    secret = response.context["form"].secret
    assert re.search(rf'id="authenticator_secret">\s*{secret}\s*</p>', html)
    assert label_for(html, "id_code") == "Code from your authenticator app"
    code = input_tag(html, "id_code")
    assert 'name="code"' in code
    assert 'autocomplete="one-time-code"' in code and 'inputmode="numeric"' in code
    assert 'aria-describedby="id_code-hint"' in code
    assert "placeholder" not in code


def test_wrong_authenticator_code_is_shown_against_the_field(client, world):
    sign_in(client, world.frontline)
    confirm_password(client)

    html = client.post(reverse("mfa_activate_totp"), {"code": "000000"}).content.decode()

    assert 'class="govuk-error-summary"' in html
    assert '<a href="#id_code">' in html
    assert "govuk-input--error" in input_tag(html, "id_code")
    assert 'value="000000"' in input_tag(html, "id_code")


def test_right_authenticator_code_turns_on_mfa_and_shows_the_recovery_codes(client, world):
    sign_in(client, world.frontline)
    confirm_password(client)
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)}, follow=True)
    html = response.content.decode()

    assert world.frontline.has_mfa
    assert re.search(r"<h1[^>]*>\s*Your recovery codes\s*</h1>", html)
    assert label_for(html, "recovery_codes") == "Unused recovery codes"
    assert "Each code works once" in html


def test_two_factor_overview_lists_the_factors(client, world):
    client.force_login(world.frontline)

    html = client.get(reverse("mfa_index")).content.decode()

    assert re.search(r"<h1[^>]*>\s*Two-factor authentication\s*</h1>", html)
    assert "Authenticator app" in html and "Not set up" in html
    assert f'href="{reverse("mfa_activate_totp")}"' in html
    assert "Security keys" in html and "Recovery codes" in html


def test_second_step_of_sign_in_asks_for_the_code(client, world):
    response = sign_in(client, world.lead)
    assert response["Location"] == reverse("mfa_authenticate")

    html = client.get(reverse("mfa_authenticate")).content.decode()

    assert "Enter the 6-digit code from your authenticator app, or a recovery code" in html
    assert label_for(html, "id_code") == "Security code"
    assert 'autocomplete="one-time-code"' in input_tag(html, "id_code")
    # No security key was added, so none is offered.
    assert "mfa_webauthn_authenticate" not in html

    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"}).content.decode()
    assert '<a href="#id_code">' in wrong
    assert 'value="123456"' in input_tag(wrong, "id_code")

    right = client.post(reverse("mfa_authenticate"), {"code": totp_code(world.totp[world.lead.pk])})
    assert right.wsgi_request.user == world.lead


def test_sessions_page_is_a_govuk_table(client, world):
    client.force_login(world.frontline)

    html = client.get(reverse("usersessions_list")).content.decode()

    assert 'class="govuk-table"' in html
    assert "<script>" not in html


def test_scripts_on_account_pages_are_files_or_carry_the_nonce(client, world):
    sign_in(client, world.frontline)
    confirm_password(client)
    for name in ["mfa_add_webauthn", "mfa_index", "usersessions_list"]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        html = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        for tag in re.findall(r"<script\b[^>]*>", html):
            # A file, or inline with the nonce, or JSON data (never run, so CSP lets it be).
            runs_inline = "src=" not in tag and 'type="application/json"' not in tag
            assert not runs_inline or f'nonce="{nonce}"' in tag, (name, tag)
