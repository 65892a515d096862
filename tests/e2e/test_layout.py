"""Nothing on any main page scrolls sideways, at a small phone's width up to a desktop's.

The pages are found by walking the URLconf (tests/e2e/walk.py) for each role. Each page is
opened once and laid out at every width: the page itself must not be wider than the window,
and no element may reach past its right edge unless it sits in a scrolling box that does
not (on a phone, a wide table scrolls in its own box and never pushes the page; from a
tablet's width up, nothing scrolls sideways even in its own box). "Exit this page" must never
cover a form field.
"""

import time

import pytest

from .walk import NOT_PAGES, ROLES, open_page, pages_for, patterns, seed, sign_in_as

WIDTHS = [320, 390, 768, 1280]

# Whatever reaches past the window, outside a box that scrolls (or clips) on its own.
OVERFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) {
    found.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  }
  const clipped = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') {
        return up.getBoundingClientRect().right <= width + 1;
      }
    }
    return false;
  };
  const describe = (element) => {
    const classes = [...element.classList].slice(0, 2).join('.');
    const text = (element.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return `<${element.localName}${classes ? '.' + classes : ''}> "${text}"`;
  };
  for (const element of document.body.querySelectorAll('*')) {
    // From a tablet's width up, not even a table scrolls in its own box: it must fit.
    if (width >= 768 && element.scrollWidth > element.clientWidth + 1
        && ['auto', 'scroll'].includes(getComputedStyle(element).overflowX)) {
      found.push(`${describe(element)} scrolls sideways in its own box`);
    }
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
    const style = getComputedStyle(element);
    if (style.visibility === 'hidden' || style.clipPath !== 'none') continue;
    if (style.position === 'absolute' && style.clip !== 'auto') continue;  // visually hidden
    if (clipped(element)) continue;
    // Report the outermost element only: its children overflow with it.
    const parent = element.parentElement.getBoundingClientRect();
    if (parent.right > width + 1 && !clipped(element.parentElement)) continue;
    found.push(`${describe(element)} reaches ${Math.round(box.right)}px`);
  }
  return found;
}
"""

# The form fields "Exit this page" sits over, if any.
UNDER_EXIT = """
() => {
  const exit = document.querySelector('.govuk-exit-this-page');
  if (!exit) return [];
  const a = exit.getBoundingClientRect();
  return [...document.querySelectorAll('main input, main select, main textarea, main button')]
    .filter((field) => {
      const b = field.getBoundingClientRect();
      if (b.width === 0 || b.height === 0 || field.type === 'hidden') return false;
      return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    })
    .map((field) => `${field.localName}#${field.id || field.name}`);
}
"""

# Pages drawn by templates/cases/concern_*.html, which another piece of work is rebuilding
# (issue 20): what overflows there is reported as an expected failure, not fixed here.
CONCERN_FLOW = {
    "cases:concern_start",
    "cases:draft_edit",
    "cases:concern_next_steps",
    "cases:concern_detail",
    "cases:concern_triage",
}


def test_every_page_left_out_of_the_walk_is_a_url_that_exists():
    names = {name for name, _, _ in patterns()}
    assert set(NOT_PAGES) - names == set()


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_at_any_width(
    role, browser, live_server, reference_data, organisation, world
):
    records = seed(world)
    started = time.monotonic()
    journey = sign_in_as(
        browser, live_server, world, role, viewport={"width": WIDTHS[0], "height": 800}
    )
    user = getattr(world, role, None)
    pages = pages_for(role, user, records)
    assert pages, f"the walk found no page for {role}"
    problems, concern_flow = [], []
    for page in pages:
        problem = open_page(journey, page)
        if problem:
            problems.append(problem)
            continue
        for width in WIDTHS:
            journey.page.set_viewport_size({"width": width, "height": 800})
            found = journey.page.evaluate(OVERFLOW)
            found += [f"Exit this page covers {f}" for f in journey.page.evaluate(UNDER_EXIT)]
            lines = [f"{page.address} ({page.name}) at {width}px: {f}" for f in found]
            (concern_flow if page.name in CONCERN_FLOW else problems).extend(lines)
    journey.close()
    print(
        f"\n{role}: {len(pages)} pages x {len(WIDTHS)} widths in {time.monotonic() - started:.1f} s"
    )
    assert not problems, "\n".join(problems)
    if concern_flow:
        pytest.xfail("the concern flow (rebuilt separately):\n" + "\n".join(concern_flow))
