import logging

from django.urls import reverse

from tests.auth import sign_in, totp_code
from tests.factories import TEST_PASSWORD


def test_cookies_are_secure_httponly_and_samesite_over_https(client, world, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True

    client.get(reverse("account_login"), secure=True)
    response = client.post(
        reverse("account_login"),
        {"login": world.frontline.email, "password": TEST_PASSWORD},
        secure=True,
    )

    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"]


def test_https_is_enforced_with_hsts(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    assert client.get(reverse("account_login")).status_code == 301
    response = client.get(reverse("account_login"), secure=True)

    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]


def test_signed_in_pages_carry_the_protective_headers(client, world):
    client.force_login(world.manager)

    response = client.get(reverse("audit_log"))

    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]:
        assert directive in policy
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'nonce-" in script_src


def _permissions(response) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))


def test_every_response_switches_off_browser_features_the_product_never_uses(client, world):
    anonymous = client.get(reverse("account_login"))
    client.force_login(world.manager)
    signed_in = client.get(reverse("audit_log"))
    static = client.get("/static/images/favicon.svg")

    for response in (anonymous, signed_in, static):
        features = _permissions(response)
        for feature in ("camera", "microphone", "geolocation", "payment", "usb", "fullscreen"):
            assert features[feature] == "()", feature
        # Security keys and passkeys are a sign-in factor: allowed, for this origin only.
        assert features["publickey-credentials-get"] == "(self)"
        assert features["publickey-credentials-create"] == "(self)"


def test_a_whole_journey_writes_no_personal_data_to_the_log(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    manager = world.manager
    client.post(reverse("account_login"), {"login": manager.email, "password": "wrong"})
    client.post(reverse("account_login"), {"login": "nobody@example.test", "password": "x"})
    client.post(reverse("account_login"), {"login": manager.email, "password": TEST_PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(world.totp[manager.pk])})
    client.get(reverse("home"))
    client.get(reverse("audit_log"), {"actor": world.lead.pk})
    client.get(reverse("audit_log_export"))
    client.get("/no-such-page/")
    client.post(reverse("account_logout"))
    sign_in(client, world.frontline)
    client.get(reverse("audit_log"))  # refused

    assert caplog.records, "the journey logged nothing: is logging captured?"
    for user in [world.manager, world.frontline, world.lead]:
        for secret in [user.email, user.full_name, user.email.split("@")[0]]:
            assert secret not in caplog.text, f"{secret!r} appears in the log"
    assert "nobody@example.test" not in caplog.text
