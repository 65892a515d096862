"""Logging a concern on a phone (issue 20): the walk `make bench` measures, at 390 x 844."""

from bench import phone
from cases.models import Answer, Concern
from tests.factories import TEST_PASSWORD

# The signs page before issue 20, measured by bench/phone.py at 390 px (docs/benchmarks.md):
# 6,531 px as it opened, 18,449 px with every group open.
OLD_SIGNS_PAGE, OLD_SIGNS_PAGE_ALL_OPEN = 6_531, 18_449


def test_a_typical_concern_completes_on_a_phone_with_a_much_shorter_signs_page(
    browser, live_server, reference_data, world, organisation
):
    context = browser.new_context(
        viewport=phone.VIEWPORT, locale="en-GB", timezone_id="Europe/London", has_touch=True
    )
    try:
        walk = phone.walk_flow(
            context.new_page(), live_server.url, email=world.frontline.email, password=TEST_PASSWORD
        )
    finally:
        context.close()

    signs_page = next(p for p in walk.pages if p.title == "What happened?")
    assert signs_page.height < OLD_SIGNS_PAGE / 2
    assert walk.all_open < OLD_SIGNS_PAGE_ALL_OPEN / 2
    assert [p.title for p in walk.pages][-2:] == ["Check your answers", "Concern logged"]
    concern = Concern.objects.get(reporter=world.frontline)
    seen = {o.indicator.code: o for o in concern.observations.all()}
    assert set(seen) == set(phone.TYPICAL_SIGNS)
    assert {o.answer for o in seen.values()} == {Answer.OBSERVED}
    assert seen[phone.NOTED_SIGN].note == "The boss keeps her passport."
    assert [t.code for t in concern.exploitation_types.all()] == ["labour"]
