import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import reverse

from safeguard import services
from safeguard.adapters import LOCKED_OUT, SIGN_IN_FAILED
from safeguard.models import AuditEvent, Role
from tests.auth import enrol_totp, sign_in, totp_code
from tests.factories import TEST_PASSWORD, UserFactory


def post_sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_wrong_password_and_unknown_email_get_the_same_answer(client, world):
    known = post_sign_in(client, world.frontline.email, "wrong password").content.decode()
    unknown = post_sign_in(client, "nobody@example.test", "wrong password").content.decode()

    assert SIGN_IN_FAILED in known and SIGN_IN_FAILED in unknown
    assert world.frontline.email in known  # what was typed is kept


def test_failed_sign_in_is_audited_without_the_email_typed(client, world):
    post_sign_in(client, world.frontline.email, "wrong password")

    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED)
    assert event.actor is None
    assert world.frontline.email not in str(event.__dict__)


def test_five_failures_lock_the_account_even_with_the_right_password(client, world):
    for _ in range(5):
        post_sign_in(client, world.frontline.email, "wrong password")

    html = post_sign_in(client, world.frontline.email, TEST_PASSWORD).content.decode()

    assert LOCKED_OUT in html
    assert not client.session.get("_auth_user_id")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT).count() == 1


def test_lockout_of_an_unknown_email_looks_the_same(client, world):
    for _ in range(5):
        post_sign_in(client, "nobody@example.test", "guess")

    assert LOCKED_OUT in post_sign_in(client, "nobody@example.test", "guess").content.decode()


def test_lockout_is_per_account_not_for_everyone(client, world):
    for _ in range(5):
        post_sign_in(client, world.frontline.email, "wrong password")

    response = sign_in(Client(), world.lead, secret=world.totp[world.lead.pk])

    assert response.resolver_match.url_name == "home"


def test_the_admin_sign_in_is_our_sign_in_page(client):
    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_passwords_are_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = UserFactory()
    user.set_password("a long enough passphrase")

    assert identify_hasher(user.password).algorithm == "argon2"


def test_sign_up_is_closed(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "me@example.test",
            "password1": "long passphrase 1",
            "password2": "long passphrase 1",
        },
    )

    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN).exists()
    from safeguard.models import User

    assert not User.objects.filter(email="me@example.test").exists()


@pytest.mark.parametrize("role", [Role.LEAD, Role.MANAGER, Role.ADMIN])
def test_privileged_user_without_mfa_can_reach_only_enrolment(client, db, role):
    user = UserFactory(role=role)
    response = sign_in(client, user)

    assert response.resolver_match.url_name == "mfa_activate_totp"
    for path in [reverse("home"), reverse("audit_log"), "/admin/"]:
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked["Location"] == reverse("mfa_activate_totp")


def test_frontline_user_needs_no_mfa_but_may_enrol(client, world):
    response = sign_in(client, world.frontline)

    assert response.resolver_match.url_name == "home"
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_enrolling_an_authenticator_app_unlocks_the_service(
    client, db, django_capture_on_commit_callbacks
):
    lead = UserFactory(role=Role.LEAD)
    sign_in(client, lead)
    page = client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    assert secret in page.content.decode()  # shown for typing into the app by hand

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mfa_activate_totp"), {"code": totp_code(secret)}, follow=True
        )

    assert Authenticator.objects.filter(user=lead, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("home")).status_code == 200
    assert response.status_code == 200
    assert AuditEvent.objects.filter(actor=lead, action=AuditEvent.Action.MFA_ADDED).exists()


def test_a_wrong_enrolment_code_is_refused(client, db):
    lead = UserFactory(role=Role.LEAD)
    sign_in(client, lead)
    client.get(reverse("mfa_activate_totp"))

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})

    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=lead).exists()


def test_enrolled_user_must_give_a_code_to_sign_in(client, world):
    response = client.post(
        reverse("account_login"),
        {"login": world.manager.email, "password": TEST_PASSWORD},
        follow=True,
    )
    assert response.resolver_match.url_name == "mfa_authenticate"
    assert client.get(reverse("home")).status_code == 302  # not signed in yet

    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert wrong.status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MFA_FAILED).exists()

    secret = world.totp[world.manager.pk]
    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}, follow=True)
    assert done.resolver_match.url_name == "home"
    assert AuditEvent.objects.filter(actor=world.manager, action=AuditEvent.Action.SIGN_IN).exists()


def test_admin_site_needs_an_administrator_with_mfa(client, db):
    admin = UserFactory(role=Role.ADMIN)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 302  # to enrolment

    enrol_totp(admin)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


def test_invitation_link_sets_a_password_once(client, world, mailoutbox, rf):
    user = UserFactory(role=Role.FRONTLINE)
    user.set_unusable_password()
    user.save()
    request = rf.get("/admin/")
    request.user = world.admin
    services.user_invite(request=request, actor=world.admin, user=user)
    # on_commit: the test transaction never commits, so send as the commit would.
    assert not mailoutbox
    services_message_sent = AuditEvent.objects.get(action=AuditEvent.Action.USER_INVITED)
    assert services_message_sent.object_id == str(user.pk)


def test_invitation_email_lets_the_user_choose_a_password_and_sign_in(
    client, world, mailoutbox, rf, django_capture_on_commit_callbacks
):
    user = UserFactory(role=Role.FRONTLINE, full_name="Ivy Invited")
    user.set_unusable_password()
    user.save()
    request = rf.get("/admin/")
    request.user = world.admin
    with django_capture_on_commit_callbacks(execute=True):
        services.user_invite(request=request, actor=world.admin, user=user)

    [email] = mailoutbox
    assert "Ivy" not in email.body and "Ivy" not in email.subject
    link = re.search(r"https?://[^/]+(/account/password/reset/key/\S+)", email.body).group(1)
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    new_password = "a brand new long passphrase"
    client.post(form_url, {"password1": new_password, "password2": new_password})

    user.refresh_from_db()
    assert user.check_password(new_password)
    # The same link does not work twice.
    again = Client().get(link, follow=True)
    assert "password1" not in again.content.decode()


def test_deactivating_a_user_ends_their_sessions(client, world, rf):
    sign_in(client, world.frontline)
    assert client.get(reverse("home")).status_code == 200
    request = rf.get("/admin/")
    request.user = world.admin

    services.user_deactivate(request=request, actor=world.admin, user=world.frontline)

    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.USER_DEACTIVATED).exists()


def test_changing_password_ends_the_users_other_sessions(world):
    phone, desktop = Client(), Client()
    sign_in(phone, world.frontline)
    sign_in(desktop, world.frontline)

    new_password = "another long passphrase"
    desktop.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": new_password, "password2": new_password},
    )

    assert desktop.get(reverse("home")).status_code == 200
    assert phone.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_CHANGED).exists()


def test_resetting_mfa_removes_factors_and_ends_sessions(client, world, rf):
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])
    request = rf.get("/admin/")
    request.user = world.admin

    services.user_reset_mfa(request=request, actor=world.admin, user=world.lead)

    assert not Authenticator.objects.filter(user=world.lead).exists()
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.get(action=AuditEvent.Action.MFA_RESET).object_id == str(
        world.lead.pk
    )
