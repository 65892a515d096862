"""Every PDF page's margins: the marking once at the top and once at the bottom, who made the
document in its own box, and nothing that runs into anything else, however long the names.
Read from WeasyPrint's own layout (the margin boxes' text) and from the PDF with pdftotext."""

import re
import subprocess

import pytest

from documents import pdfs
from referrals import services as referral_services
from safeguard import pdf
from safeguard.choices import Pathway
from safeguard.models import Role, Team
from tests.auth import request_as
from tests.e2e.records import open_case
from tests.factories import UserFactory
from tests.tools import require

LONG_NAME = "Maximiliana Wilhelmina Featherstonehaugh-Cholmondeley-Marjoribanks"
LONG_TEAM = "North East and North Cumbria Modern Slavery and Exploitation Response Team"


@pytest.fixture
def notice(world, log_concern, reference_data, organisation):
    team = Team.objects.create(name=LONG_TEAM)
    lead = UserFactory(full_name=LONG_NAME, role=Role.LEAD, teams=[team], job_title="Lead")
    concern = log_concern(world.frontline, name="Ana Example", estimated_age=30)
    case = open_case(lead, team, concern)
    referral = referral_services.referral_create(
        request=request_as(lead),
        case=case,
        pathway=Pathway.DUTY_TO_NOTIFY,
        recipient=None,
        named=False,
    )
    return referral, lead


def _document(referral, lead):
    return pdf.render_document(
        "pdf/anonymous_notice.html",
        pdfs.referral_pack_context(referral),
        marking=pdf.Marking(
            title="Duty to Notify: referral pack, a title long enough to wrap in its box",
            reference=f"Case {referral.case.reference}, referral {referral.reference}",
            generated_by=lead.full_name,
        ),
    )


def _text_boxes(box):
    """(text, left, top, right, bottom) of every line of text inside `box`."""
    if hasattr(box, "text") and box.text.strip():
        yield (
            box.text,
            box.position_x,
            box.position_y,
            box.position_x + box.width,
            box.position_y + box.height,
        )
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)


def _margin_texts(page):
    """{margin box name: [text rectangles]} for the margin boxes that hold text."""
    found = {}
    for box in page._page_box.children:
        if getattr(box, "at_keyword", None):
            rectangles = list(_text_boxes(box))
            if rectangles:
                found[box.at_keyword] = rectangles
    return found


def _overlap(a, b) -> bool:
    return a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]


def test_margin_boxes_never_overlap_even_for_a_long_name_and_team(notice):
    document = _document(*notice)

    assert len(document.pages) >= 2
    for number, page in enumerate(document.pages, start=1):
        margins = _margin_texts(page)
        # The marking at the top and the bottom of every page, once each.
        marking = {
            name
            for name, boxes in margins.items()
            if any(pdf.PROTECTIVE_MARKING in box[0] for box in boxes)
        }
        assert marking == {"@top-center", "@bottom-center"}, number
        names = sorted(margins)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                clashes = [
                    (a[0], b[0]) for a in margins[first] for b in margins[second] if _overlap(a, b)
                ]
                assert not clashes, f"page {number}: {first} runs into {second}: {clashes}"


def test_each_page_prints_the_marking_twice_and_who_generated_it(notice, tmp_path):
    require("pdftotext", package="poppler-utils")
    referral, lead = notice
    path = tmp_path / "notice.pdf"
    path.write_bytes(_document(referral, lead).write_pdf())

    pages = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    pages = [page for page in pages if page.strip()]

    assert len(pages) >= 2
    for page in pages:
        ending = page.count(f"End of document. {pdf.PROTECTIVE_MARKING}")
        assert page.count(pdf.PROTECTIVE_MARKING) - ending == 2  # top and bottom, once each
        assert "Generated" in page  # who made it, on every page
    text = re.sub(r"\s+", " ", " ".join(pages))
    assert f"{LONG_NAME}, Lead, {LONG_TEAM}" in text
    assert " ," not in text
