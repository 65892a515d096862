"""What closing a case checks (issue 19, item 1).

`closing_checks` is pure: from the facts of the record and what the lead confirmed, each check
with whether it is met, what is left, and where to resolve it. The close page shows them and
`services.case_close` asks them again under the case's row lock. `case_facts` gathers the
facts: this app's own, and through `case_closing_facts` those of the apps above it (open
referrals, running deadlines, the directory entries they name), which cases may not import.
"""

from dataclasses import dataclass, field, replace

from django.urls import reverse

from . import risk
from .models import Case, ClosingCheck, support_needs_not_done
from .signals import case_closing_facts


@dataclass(frozen=True)
class Item:
    """Something on the record a check is about: a referral, a deadline, a need."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class Agency:
    """A directory entry the case names (a referral's recipient, a sharing agreement's
    organisation, where a concern was signposted)."""

    key: str
    name: str


@dataclass(frozen=True)
class Facts:
    open_referrals: tuple[Item, ...] = ()
    running_deadlines: tuple[Item, ...] = ()
    needs_not_done: tuple[Item, ...] = ()
    risk_levels: tuple[str, ...] = ()  # oldest first
    agencies: tuple[Agency, ...] = ()
    # What goes on after the case: court dates in a police report, referrals still open.
    remaining: tuple[str, ...] = ()


@dataclass(frozen=True)
class Confirmed:
    """What only the lead can say: who has been told, what was reviewed, where to next."""

    agencies_told: frozenset[str] = frozenset()
    safety_plan_reviewed: bool = False
    papers_complete: bool = False
    signposted_to: str = ""


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    met: bool
    detail: str
    items: tuple[Item, ...] = field(default=())
    resolve_text: str = ""
    resolve_url: str = ""

    @property
    def override_field(self) -> str:
        return f"override_{self.code}"


def _count(items, one: str, many: str) -> str:
    return f"{len(items)} {one if len(items) == 1 else many}"


def closing_checks(case: Case, facts: Facts, confirmed: Confirmed) -> list[Check]:
    """Every closing check of `case`, in the order the close page lists them."""

    def url(name: str) -> str:
        return reverse(name, kwargs={"reference": case.reference})

    labels = dict(ClosingCheck.choices)
    checks = []

    def add(code, met, detail, items=(), resolve_text="", resolve_url=""):
        checks.append(
            Check(code, labels[code], met, detail, tuple(items), resolve_text, resolve_url)
        )

    referrals = facts.open_referrals
    add(
        ClosingCheck.OPEN_REFERRALS,
        not referrals,
        f"{_count(referrals, 'open referral', 'open referrals')}: "
        + ", ".join(item.text for item in referrals)
        if referrals
        else "Every referral has an outcome or was withdrawn.",
        referrals,
        "Record each referral's outcome, or withdraw it",
        url("referrals:case_referrals"),
    )
    running = facts.running_deadlines
    add(
        ClosingCheck.RUNNING_DEADLINES,
        not running,
        f"{_count(running, 'deadline is', 'deadlines are')} still running. Closing stops "
        f"{'it' if len(running) == 1 else 'them'}, and no reminder is sent again."
        if running
        else "No deadline is running.",
        running,
        "See the case's deadlines",
        url("cases:case_detail") + "#deadlines",
    )
    needs = facts.needs_not_done
    add(
        ClosingCheck.SUPPORT_NEEDS,
        not needs,
        f"{_count(needs, 'support need is', 'support needs are')} not done."
        if needs
        else "Every support need is done.",
        needs,
        "Update the support plan",
        url("cases:case_support"),
    )
    trend = risk.trend(facts.risk_levels)
    add(
        ClosingCheck.RISK_REDUCED,
        trend.has_fallen,
        trend.text,
        (),
        "Add a risk assessment",
        url("cases:case_risk") + "#add",
    )
    untold = [a for a in facts.agencies if a.key not in confirmed.agencies_told]
    add(
        ClosingCheck.AGENCIES_TOLD,
        not untold,
        (
            "Not yet confirmed as told: " + ", ".join(a.name for a in untold) + "."
            if untold
            else f"{_count(facts.agencies, 'agency', 'agencies')} on the case told."
        )
        if facts.agencies
        else "No directory entries are named on this case.",
        (),
        "Tick each agency you have told, below",
        "#agencies_told",
    )
    add(
        ClosingCheck.SAFETY_PLAN,
        confirmed.safety_plan_reviewed,
        "Reviewed with them." if confirmed.safety_plan_reviewed else "Not confirmed yet.",
        (),
        "Confirm it below once you have reviewed it with them",
        "#id_safety_plan_reviewed",
    )
    add(
        ClosingCheck.PAPERS,
        confirmed.papers_complete,
        "Complete." if confirmed.papers_complete else "Not confirmed yet.",
        (),
        "Confirm it below once their papers are complete",
        "#id_papers_complete",
    )
    signposted = confirmed.signposted_to.strip()
    remains = "; ".join(facts.remaining)
    add(
        ClosingCheck.SIGNPOSTED,
        bool(signposted),
        (
            f"Signposted to: {signposted}."
            if signposted
            else "Where they were signposted is not recorded."
        )
        + (f" Still to come: {remains}." if remains else ""),
        (),
        "Say below where they were signposted",
        "#id_signposted_to",
    )
    return checks


def case_facts(case: Case) -> Facts:
    """The facts of the record the checks read: this app's, then the apps' above it."""
    needs = tuple(
        Item(f"{need.get_domain_display()}: {need.need}")
        for need in support_needs_not_done(case.support_needs.all())
    )
    levels = tuple(
        case.risk_assessments.order_by("assessed_at", "id").values_list("level", flat=True)
    )
    agencies = {
        concern.signposted_to_id: concern.signposted_to.name
        for concern in case.concerns.filter(signposted_to__isnull=False).select_related(
            "signposted_to"
        )
    }
    court = [
        f"court dates in the police report ({report.court_dates.strip().splitlines()[0]})"
        for report in case.police_reports.exclude(court_dates="")
    ]
    facts = Facts(needs_not_done=needs, risk_levels=levels, remaining=tuple(court))
    for _receiver, part in case_closing_facts.send(sender=Case, case=case):
        for pk, name in part.pop("agencies", {}).items():
            agencies.setdefault(pk, name)
        facts = replace(
            facts,
            **{key: getattr(facts, key) + tuple(value) for key, value in part.items()},
        )
    agency_list = tuple(
        Agency(str(pk), name) for pk, name in sorted(agencies.items(), key=lambda a: a[1])
    )
    return replace(facts, agencies=agency_list)


def unmet(checks: list[Check]) -> list[Check]:
    return [check for check in checks if not check.met]
