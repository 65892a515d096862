"""The main pages, found by walking the URLconf: what the layout and axe tests open.

Every named URL a role may open (`access.may_open`) is a page to check, its arguments filled
from records seeded once (`seed`), unless it is listed in `NOT_PAGES` with the reason. A URL
argument the walk does not know fails the test, so a new page is checked from the day it is
added; so does a page that answers anything but an HTML 200.
"""

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from cases import services as case_services
from cases.models import (
    ConcernDraft,
    ConcernLink,
    ExploitationSituation,
    Exploiter,
    RiskAssessment,
    RiskLevel,
    SupportDomain,
    SupportNeed,
    WhereNow,
)
from contacts.models import Organisation
from contacts.models import Person as ContactPerson
from referrals import services as referral_services
from referrals.models import Deadline
from safeguard import access
from safeguard.choices import Pathway
from subject_access import services as access_services
from tests.auth import request_as

from .records import NRM_RECIPIENT, open_case, submit_concern

ROLES = ["anonymous", "frontline", "lead", "manager", "admin"]

# URL names that are not pages a person reads, or that the walk cannot open as one, and why.
NOT_PAGES = {
    # Downloads and exports: a CSV, a PDF, a vCard or a file, not a page to lay out.
    "audit_log_export": "a CSV download",
    "referrals:overdue_export": "a CSV download",
    "dashboards:statistics_export": "a CSV download",
    "contacts:card_pdf": "a PDF download",
    "contacts:vcard": "a vCard download",
    "contacts:person_vcard": "a vCard download",
    "cases:person_photo": "an image",
    "documents:pack": "a PDF download",
    "documents:pack_with_evidence": "starts a background PDF job (POST)",
    "documents:chronology_pdf": "starts a background PDF job (POST)",
    "documents:missing_person": "starts a background PDF job (POST)",
    "documents:document_job": "the progress page of a background PDF job the walk does not run",
    "documents:document_job_download": "a PDF download",
    "documents:evidence_download": "a file download",
    "mfa_download_recovery_codes": "a text download",
    # Endpoints that answer forms or scripts only.
    "cases:draft_autosave": "answers the form's script (POST only)",
    "cases:draft_delete": "POST only",
    "cases:draft_call_999": "a step of the concern form the walk reaches through draft_edit",
    "cases:concern_addendum": "POST only: the form is on the concern's page",
    "session_keep_alive": "answers the timeout warning's script (POST only)",
    "referrals:transition": "POST only: the buttons are on the referral's page",
    "referrals:deadline_reassign": "POST only: the form is on the overdue page",
    "contacts:verify": "POST only: the button is on the organisation's page",
    "contacts:person_remove": "POST only: the button is on the organisation's page",
    "referrals:sharing_withdraw": "POST only: the button is on the sharing page",
    "referrals:age_settle": "POST only: the form is on the case's referrals page",
    "referrals:guardian_not_needed": "POST only: the form is on the case's referrals page",
    "cases:case_support_start": "POST only: the button is on the support page",
    # Redirects and machine answers.
    "exit": "Exit this page: a redirect to a neutral site",
    "account_logout": "signs the walker out",
    "health": "a JSON health check",
    "health_live": "a JSON health check",
    "account_signup": "redirects: sign-up is closed",
    "account_inactive": "allauth's page for a disabled account, which the walk does not have",
    "account_reset_password_from_key": "needs a real emailed key",
    "account_reset_password_done": "reached after the reset form only",
    "account_reset_password_from_key_done": "reached after the reset form only",
    "account_reauthenticate": "redirects to the MFA step for a user with a second factor",
    "account_set_password": "redirects: every user already has a password",
    "mfa_authenticate": "the second step of a sign-in in progress",
    "mfa_reauthenticate": "reached from a change to the second factor only",
    "mfa_reauthenticate_webauthn": "needs a security key",
    "mfa_add_webauthn": "needs a security key (WebAuthn)",
    "mfa_edit_webauthn": "needs a security key (WebAuthn)",
    "mfa_remove_webauthn": "needs a security key (WebAuthn)",
    "mfa_list_webauthn": "redirects: the walk's users have no security key",
    "mfa_activate_totp": "redirects for a user who already has an authenticator app",
    "mfa_deactivate_totp": "asks for a fresh code first (reauthentication)",
    "mfa_generate_recovery_codes": "asks for a fresh code first (reauthentication)",
    "mfa_view_recovery_codes": "asks for a fresh code first (reauthentication)",
    "cases:person_merge": "needs a second record of the same person",
    "referrals:consent": "POST only: the form is on the referral's page",
    "documents:evidence_add": "POST only: the form is on the case's documents page",
    "subject_access:request_identity": "POST only: the form is on the request's page",
    "subject_access:request_extend": "POST only: the form is on the request's page",
    "subject_access:request_review": "POST only: the button is on the request's page",
    "subject_access:item_decide": "POST only: the forms are on the request's page",
    "subject_access:bundle_build": "POST only: the button is on the request's page",
    "subject_access:bundle_download": "a zip download",
    "subject_access:request_release": "POST only: the button is on the request's page",
    "subject_access:correction_add": "POST only: the form is on the request's page",
}
# Pages in the walk the anonymous visitor may open are those of signing in only.
ANONYMOUS_PAGES = {"account_login", "account_reset_password"}


@dataclass(frozen=True)
class Page:
    name: str
    address: str
    search: str = ""  # typed into the page's search box and submitted (a POST form)


def patterns():
    """(view name, route, argument names) for every named URL but the Django admin's: it is
    Django's own layout, for administrators at a desk."""

    def walk(patterns, namespace="", prefix="", outer=()):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            arguments = (*outer, *pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner, route, arguments)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}", route, arguments

    return sorted(
        n for n in set(walk(get_resolver().url_patterns)) if not n[0].startswith("admin:")
    )


def _kwargs(role: str, name: str, route: str, arguments, records) -> dict:
    kwargs = {}
    for argument in arguments:
        if argument == "reference":
            prefix = route.split("/", 1)[0]
            value = {
                "concerns": records.concern_reference,
                "cases": records.case_reference,
                "people": records.person_reference,
                "referrals": records.referral_reference,
                "subject-access": records.sar_reference,
            }.get(prefix)
            if name == "cases:concern_triage":
                value = records.waiting_reference
            if name == "documents:pack_preview":
                value = records.notice_reference
        else:
            value = {
                "draft": records.drafts.get(role),
                "part": "situation",
                "organisation_pk": records.organisation,
            }.get(argument)
            if argument == "pk":
                value = (
                    records.situation
                    if "/record/" in route
                    else records.contact_person
                    if route.startswith("contacts/people/")
                    else records.organisation
                    if route.startswith("contacts/")
                    else None
                )
        if value is None:
            pytest.fail(f"{name}: the walk does not know the argument {argument!r} ({route})")
        kwargs[argument] = value
    return kwargs


# A draft whose two steps are complete, so that "check your answers" shows (an incomplete one
# is sent back to the step to finish).
CHECKED_DRAFT = {
    "name": "Cy",
    "gender": "unknown",
    "observed_date": "2026-11-22",
    "observed_time": "21:15",
    "location": "Car wash",
    "setting": "workplace",
    "observer_account": "Sleeps at the car wash.",
    "ind_situational-lives-at-work": "observed",
    "note_situational-lives-at-work": "In the back room",
}

# Query strings and searches for pages that show more with them.
EXTRA = {
    "cases:draft_edit": ["step=person", "step=what", "step=check"],
    "cases:search": [],
}


def pages_for(role: str, user, records) -> list[Page]:
    """Every main page `role` may open, with its address."""
    found = []
    for name, route, arguments in patterns():
        if name in NOT_PAGES:
            continue
        if role == "anonymous":
            if name not in ANONYMOUS_PAGES:
                continue
        elif not access.may_open(user, name) or name in ANONYMOUS_PAGES:
            continue
        address = reverse(name, kwargs=_kwargs(role, name, route, arguments, records))
        if name == "cases:search":
            found.append(Page(name, address, search="Ana"))
        elif name in EXTRA:
            found += [Page(name, f"{address}?{query}") for query in EXTRA[name]]
        else:
            found.append(Page(name, address))
    return found


def seed(world) -> SimpleNamespace:
    """One of every record the pages show, with enough in them to fill tables and cards."""
    lead = request_as(world.lead)
    concern = submit_concern(world.frontline, name="Ana Example", date_of_birth=dt.date(1994, 2, 1))
    case = open_case(world.lead, world.north, concern)
    # Frontline workers see the cases they are named on.
    case.members.add(world.frontline)
    case_services.risk_assessment_add(
        request=lead,
        assessment=RiskAssessment(
            case=case,
            level=RiskLevel.HIGH,
            summary="Threats from the employer.",
            review_on=timezone.localdate() + dt.timedelta(days=14),
        ),
    )
    case_services.support_plan_save(
        request=lead,
        case=case,
        rows=[
            case_services.PlanRow(
                need=SupportNeed(case=case, domain=SupportDomain.ACCOMMODATION, need="Safe housing")
            )
        ],
    )
    recipient = Organisation.objects.get(name=NRM_RECIPIENT)
    referral = referral_services.referral_create(
        request=lead, case=case, pathway=Pathway.NRM, recipient=recipient, competent_authority="sca"
    )
    notice = referral_services.referral_create(
        request=lead, case=case, pathway=Pathway.DUTY_TO_NOTIFY, recipient=None, named=False
    )
    # The case record's summary cards (and a name the preview marks).
    situation = ExploitationSituation.objects.create(
        case=case, kinds=["forced_work"], control="Ana: threats"
    )
    WhereNow.objects.create(case=case, where_now="A refuge", email_safe="no")
    waiting = submit_concern(world.frontline, name="Bo Example", estimated_age=15)
    # Similar reports both ways: the case's exploiter and the waiting concern share a car.
    exploiter = Exploiter(case=case, names="Marius", vehicles="AB12 CDE")
    case_services.case_record_save(request=lead, part=exploiter, changed_fields=[])
    ConcernLink.objects.create(
        concern=waiting, kind="vehicle", value="ab12cde", normalised="AB12CDE"
    )
    # Overdue rows for the overdue and deadlines pages: their widest tables.
    Deadline.objects.filter(case=case).update(due_at=timezone.now() - dt.timedelta(days=2))
    return SimpleNamespace(
        # A concern in progress of each role's own: nobody opens another's.
        drafts={
            role: ConcernDraft.objects.create(author=getattr(world, role), data=CHECKED_DRAFT).pk
            for role in ("frontline", "lead", "manager")
        },
        concern_reference=concern.reference,
        waiting_reference=waiting.reference,
        case_reference=case.reference,
        person_reference=case.person.reference,
        referral_reference=referral.reference,
        notice_reference=notice.reference,
        organisation=recipient.pk,
        contact_person=ContactPerson.objects.create(
            organisation=recipient, name="Dee Duty", job_title="Duty officer"
        ).pk,
        situation=situation.pk,
        sar_reference=access_services.request_record(
            request=lead,
            person=case.person,
            team=world.north,
            handler=world.lead,
            requester="person",
            requester_name="",
            how_received="letter",
            received_on=timezone.localdate(),
        ).reference,
    )


def sign_in_as(browser, live_server, world, role: str, *, viewport, bypass_csp=False):
    """A browser context signed in as `role` (or not signed in, for "anonymous")."""
    from .conftest import Journey

    journey = Journey(browser, live_server.url)
    journey.context.close()
    journey.context = browser.new_context(
        base_url=live_server.url,
        bypass_csp=bypass_csp,
        viewport=viewport,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    journey.context.set_default_timeout(10_000)
    journey.page = journey.context.new_page()
    if role != "anonymous":
        user = getattr(world, role)
        journey.goto("/")
        journey.sign_in(user, secret=world.totp.get(user.pk))
    return journey


def open_page(journey, page: Page) -> str | None:
    """Opens `page`; a problem to report if it did not answer with an HTML page."""
    try:
        response = journey.page.goto(page.address)
    except PlaywrightError as error:  # an error status with no page to show
        return f"{page.address} ({page.name}): {error.message.splitlines()[0]}"
    if response is None or response.status != 200:
        return f"{page.address} ({page.name}): answered {response and response.status}"
    if "text/html" not in response.headers.get("content-type", ""):
        return f"{page.address} ({page.name}): not an HTML page"
    if page.search:
        journey.page.get_by_role("textbox").first.fill(page.search)
        with journey.page.expect_navigation():
            journey.page.get_by_role("button", name="Search").click()
    return None
