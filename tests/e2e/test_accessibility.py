"""axe-core (from npm, package.json) finds no WCAG 2.2 A or AA violation on the main pages.

One test per role: sign in once, open each page in `PAGES`, run axe, and report every
violation of every page together. A URL name that no longer exists fails the test, so that a
renamed page cannot silently drop out of the check.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

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
from referrals import services as referral_services
from safeguard.choices import Pathway
from tests.auth import request_as

from .records import NRM_RECIPIENT, open_case, submit_concern

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at A and AA, and axe's best practices (which catch, for example, two
# fields with one id, where a label names the wrong field)...
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
# ... except "region": GOV.UK Frontend's page template puts the back link before <main>.
RULES_OFF = {"region": {"enabled": False}}


@dataclass(frozen=True)
class P:
    """A page: its URL name, the records (attributes of `records`) its URL takes, a query."""

    name: str
    args: tuple[str, ...] = ()
    query: str = ""
    search: str = ""  # typed into the page's search box and submitted (a POST form)


CASE = ("case_reference",)
# A draft whose two steps are complete, for "check your answers".
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
PAGES: dict[str, list[P]] = {
    "anonymous": [P("account_login"), P("account_reset_password")],
    "frontline": [
        P("home"),
        P("cases:concern_start"),
        P("cases:draft_edit", ("draft",), "step=person"),
        P("cases:draft_edit", ("draft",), "step=what"),
        P("cases:draft_edit", ("checked_draft",), "step=check"),
        P("cases:my_concerns"),
        P("cases:concern_next_steps", ("concern_reference",)),
        P("cases:concern_detail", ("concern_reference",)),
        P("cases:search", search="Ana"),
        P("contacts:directory"),
        P("contacts:detail", ("organisation",)),
        P("contacts:card"),
        P("contacts:who_to_call"),
        P("notifications"),
        P("referrals:deadline_rules"),
    ],
    "lead": [
        P("home"),
        P("cases:triage_queue"),
        P("cases:concern_triage", ("waiting_reference",)),
        P("cases:case_list"),
        P("cases:case_detail", CASE),
        P("cases:case_chronology", CASE),
        P("cases:case_record", CASE),
        P("cases:case_record_add", (*CASE, "situation_part")),
        P("cases:case_support", CASE),
        P("cases:case_support_plan", CASE),
        P("cases:case_support_agreement", CASE),
        P("cases:case_risk", CASE),
        P("cases:case_members", CASE),
        P("cases:case_close", CASE),
        P("cases:case_reopen", CASE),
        P("referrals:case_referrals", CASE),
        P("referrals:detail", ("referral_reference",)),
        P("referrals:task_list", ("referral_reference",)),
        P("referrals:check_answers", ("referral_reference",)),
        P("referrals:answers", ("referral_reference",)),
        P("documents:case_documents", CASE),
        P("documents:pack_preview", ("notice_reference",)),
        P("referrals:deadlines"),
        P("referrals:overdue"),
    ],
    "manager": [
        P("home"),
        P("referrals:overdue"),
        P("audit_log"),
        P("dashboards:statistics"),
    ],
    "admin": [P("home"), P("audit_log")],
}


@pytest.fixture
def records(world, organisation):
    lead = request_as(world.lead)
    concern = submit_concern(world.frontline, name="Ana Example", date_of_birth=dt.date(1994, 2, 1))
    case = open_case(world.lead, world.north, concern)
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
    # The case record's summary cards, for axe to read (and a name the preview marks).
    ExploitationSituation.objects.create(case=case, kinds=["forced_work"], control="Ana: threats")
    WhereNow.objects.create(case=case, where_now="A refuge", email_safe="no")
    waiting = submit_concern(world.frontline, name="Bo Example", estimated_age=15)
    # Similar reports both ways: the case's exploiter and the waiting concern share a car.
    exploiter = Exploiter(case=case, names="Marius", vehicles="AB12 CDE")
    case_services.case_record_save(request=lead, part=exploiter, changed_fields=[])
    ConcernLink.objects.create(
        concern=waiting, kind="vehicle", value="ab12cde", normalised="AB12CDE"
    )
    return SimpleNamespace(
        draft=ConcernDraft.objects.create(author=world.frontline, data={"name": "Cy"}).pk,
        checked_draft=ConcernDraft.objects.create(author=world.frontline, data=CHECKED_DRAFT).pk,
        concern_reference=concern.reference,
        waiting_reference=waiting.reference,
        case_reference=case.reference,
        referral_reference=referral.reference,
        notice_reference=notice.reference,
        organisation=recipient.pk,
        situation_part="situation",
    )


def _address(page: P, records) -> str | None:
    try:
        path = reverse(page.name, args=[getattr(records, arg) for arg in page.args])
    except NoReverseMatch:
        return None
    return f"{path}?{page.query}" if page.query else path


def _readable(address: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{address}: {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}")
            lines.append(f"      {node['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("role", list(PAGES))
def test_axe_finds_no_violations(role, browser, live_server, reference_data, world, records):
    from .conftest import Journey

    # axe is injected as a script of the page's own: the CSP would (rightly) refuse it.
    journey = Journey(browser, live_server.url)
    journey.context.close()
    journey.context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    journey.page = journey.context.new_page()
    if role != "anonymous":
        user = getattr(world, role)
        journey.goto("/")
        journey.sign_in(user, secret=world.totp.get(user.pk))
    problems = []
    for page in PAGES[role]:
        address = _address(page, records)
        assert address is not None, f"no URL named {page.name!r}: update PAGES"
        response = journey.page.goto(address)
        assert response.status == 200, f"{address}: {response.status}"
        if page.search:
            journey.page.get_by_role("textbox").first.fill(page.search)
            with journey.page.expect_navigation():
                journey.page.get_by_role("button", name="Search").click()
        journey.page.add_script_tag(path=AXE)
        result = journey.page.evaluate(
            "([tags, rules]) => axe.run(document,"
            " {runOnly: {type: 'tag', values: tags}, rules, resultTypes: ['violations']})",
            [TAGS, RULES_OFF],
        )
        if result["violations"]:
            problems.append(_readable(address, result["violations"]))
    journey.close()
    assert not problems, "axe found violations:\n" + "\n".join(problems)
