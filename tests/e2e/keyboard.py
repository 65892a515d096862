"""Driving a page with the keyboard alone, as someone who cannot use a mouse does.

Every control is reached by pressing Tab from where the focus is (which proves it is in the
tab order) and must then show where the focus is; radios are chosen with Space and the arrow
keys, buttons and links pressed with Enter. No mouse event is ever sent.
"""

from playwright.sync_api import Locator, Page

# What a person sees of the focus: GOV.UK Frontend draws it as an outline, a box shadow, the
# yellow focus colour behind the text (MOJ's navigation), or (for a radio or checkbox, whose
# input is invisible) a box shadow on the label's ::before.
FOCUS_SHOWN = """
el => {
  const shows = (style) => style.boxShadow !== "none"
    || style.backgroundColor === "rgb(255, 221, 0)"
    || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
        && !/rgba\\(0, 0, 0, 0\\)|transparent/.test(style.outlineColor));
  if (!el.matches(":focus-visible")) return "the focus is not shown (:focus-visible)";
  if (shows(getComputedStyle(el))) return "";
  const label = el.labels && el.labels[0];
  if (label && shows(getComputedStyle(label, "::before"))) return "";
  return "no outline or box shadow marks the focus";
}
"""

IS_FOCUSED = "el => document.activeElement === el"
TAB_LIMIT = 300


def describe_focus(page: Page) -> str:
    return page.evaluate(
        "() => { const el = document.activeElement;"
        " return el ? `${el.tagName.toLowerCase()}#${el.id} ${el.name || ''}"
        " \"${(el.innerText || el.value || '').trim().slice(0, 40)}\"` : 'nothing' }"
    )


def assert_focus_visible(page: Page) -> None:
    problem = page.evaluate(f"() => ({FOCUS_SHOWN})(document.activeElement)")
    assert not problem, f"Focus on {describe_focus(page)}: {problem}"


def tab_until(page: Page, predicate: str, arg=None, *, what: str) -> None:
    """Presses Tab until `predicate(document.activeElement, arg)` holds."""
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if page.evaluate(f"([arg]) => ({predicate})(document.activeElement, arg)", [arg]):
            assert_focus_visible(page)
            return
    raise AssertionError(f"{what} was not reached with {TAB_LIMIT} presses of Tab")


def tab_to(page: Page, locator: Locator) -> None:
    handle = locator.element_handle()
    tab_until(page, "(el, target) => el === target", handle, what=str(locator))


def press(page: Page, locator: Locator, key: str = "Enter") -> None:
    """A button or link: Tab to it, then Enter."""
    tab_to(page, locator)
    page.keyboard.press(key)


def type_into(page: Page, locator: Locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)


def type_date(page: Page, group: Locator, day) -> None:
    """GOV.UK's date input (a group of day, month and year boxes), typed box by box."""
    for label, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        box = group.get_by_label(label, exact=True)
        type_into(page, box, str(value))
        assert box.input_value() == str(value), f"{box}: {box.input_value()!r}"


def fill_date(group: Locator, day) -> None:
    """The same, filled without the keyboard."""
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))


def type_time(page: Page, locator: Locator, moment) -> None:
    """A time field: the same US English interface wants hours to 12 and then AM or PM."""
    type_into(page, locator, moment.strftime("%I%M") + ("A" if moment.hour < 12 else "P"))
    value = locator.input_value()
    assert value == moment.strftime("%H:%M"), f"{locator}: {value!r}"


def check(page: Page, locator: Locator) -> None:
    tab_to(page, locator)
    page.keyboard.press("Space")
    assert locator.is_checked(), f"{locator} is not ticked"


def choose(page: Page, radio: Locator) -> None:
    """A radio: Tab into its group, Space to choose the first, arrows down to the one wanted."""
    name = radio.get_attribute("name")
    tab_until(
        page,
        "(el, name) => el.type === 'radio' && el.name === name",
        name,
        what=f"the {name} radios",
    )
    page.keyboard.press("Space")
    for _ in range(10):
        if radio.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{radio} could not be chosen with the arrow keys")


def pick(page: Page, select: Locator, label: str) -> None:
    """A select: Tab to it, then the arrow keys until the option is selected."""
    tab_to(page, select)
    wanted = select.locator("option", has_text=label).first.get_attribute("value")
    for _ in range(200):
        if select.input_value() == wanted:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label!r} could not be selected in {select} with the arrow keys")
