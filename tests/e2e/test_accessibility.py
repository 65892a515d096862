"""axe-core (from npm, package.json) finds no WCAG 2.2 A or AA violation on the main pages.

One test per role: sign in once, open every main page the role may open (found by walking the
URLconf, tests/e2e/walk.py), run axe at a desktop's width and again at a phone's, and report
every violation of every page together.
"""

from pathlib import Path

import pytest
from django.conf import settings

from .walk import ROLES, open_page, pages_for, seed, sign_in_as

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at A and AA, and axe's best practices (which catch, for example, two
# fields with one id, where a label names the wrong field)...
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
# ... except "region": GOV.UK Frontend's page template puts the back link before <main>.
RULES_OFF = {"region": {"enabled": False}}


WIDTHS = [1280, 390]
NEXT_FRAME = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def _readable(address: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{address}: {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}")
            lines.append(f"      {node['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("role", ROLES)
def test_axe_finds_no_violations(role, browser, live_server, reference_data, organisation, world):
    records = seed(world)
    # axe is injected as a script of the page's own: the CSP would (rightly) refuse it.
    journey = sign_in_as(
        browser,
        live_server,
        world,
        role,
        viewport={"width": WIDTHS[0], "height": 900},
        bypass_csp=True,
    )
    problems = []
    for page in pages_for(role, getattr(world, role, None), records):
        problem = open_page(journey, page)
        if problem:
            problems.append(problem)
            continue
        journey.page.add_script_tag(path=AXE)
        for width in WIDTHS:
            journey.page.set_viewport_size({"width": width, "height": 900})
            # Scripts that answer a resize (static/js/table-scroll.mjs) run before a frame.
            journey.page.evaluate(NEXT_FRAME)
            result = journey.page.evaluate(
                "([tags, rules]) => axe.run(document,"
                " {runOnly: {type: 'tag', values: tags}, rules, resultTypes: ['violations']})",
                [TAGS, RULES_OFF],
            )
            if result["violations"]:
                problems.append(_readable(f"{page.address} at {width}px", result["violations"]))
        journey.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    journey.close()
    assert not problems, "axe found violations:\n" + "\n".join(problems)
