"""The next-steps page follows what the concern recorded (issue 19, item 7): immediate danger
first, a child's Children's Services then the guardianship service, the kind of exploitation,
an interpreter, an adult's consent; asserted as the order on the page."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Concern, ExploitationType, Person, Setting
from contacts.models import Category, Organisation, Tag
from safeguard.choices import Pathway
from tests.auth import request_as

NAME = "Ana Popescu"
GLAA = "Gangmasters and Labour Abuse Authority (GLAA)"
ACAS = "Acas"
POLICE_999 = "Police: emergency (999)"
POLICE_101 = "Police: non-emergency (101)"
HELPLINE = "Modern Slavery &amp; Exploitation Helpline (Unseen)"
SALVATION_ARMY = "The Salvation Army: adult victim support referral line"
NHS_111 = "NHS 111"
ICTG = "Independent Child Trafficking Guardian (ICTG) service (Barnardo&#x27;s)"
CHILDRENS = "Alder Borough Childrens Services"
INTERPRETERS = "Alder Interpreting Service"
LEGAL = "Alder Immigration Law Centre"


def local(name, *, categories=(), pathways=()):
    entry = Organisation.objects.create(name=name, areas="Alder Borough")
    entry.tags.set(
        [Tag.objects.get(kind="category", code=c) for c in categories]
        + [Tag.objects.get(kind="pathway", code=p) for p in pathways]
    )
    return entry


@pytest.fixture
def directory(reference_data):
    """The shipped national entries and three an organisation adds for its area."""
    local(
        CHILDRENS,
        categories=[Category.CHILDRENS_SERVICES],
        pathways=[Pathway.CHILDRENS_SERVICES],
    )
    local(INTERPRETERS, categories=[Category.INTERPRETING])
    local(LEGAL, categories=[Category.LEGAL])


@pytest.fixture
def page(world, client, directory):
    """The next-steps page of a concern logged with `kinds` of exploitation and the person's
    and concern's fields given."""

    def show(kinds=(), *, danger=False, county_lines=False, **person):
        person.setdefault("name", NAME)
        person.setdefault("estimated_age", 30)
        concern = services.concern_submit(
            request=request_as(world.frontline),
            person=Person(**person),
            concern=Concern(
                observed_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
                location="Station Road",
                setting=Setting.HOTEL,
                observer_account="Seen with a man who held her passport.",
                immediate_danger=danger,
                county_lines=county_lines,
            ),
            exploitation_types=ExploitationType.objects.filter(code__in=kinds),
            observations=[],
            links=[],
        )
        client.force_login(world.frontline)
        url = reverse("cases:concern_next_steps", args=[concern.reference])
        response = client.get(url)
        assert response.status_code == 200
        return url, response.content.decode()

    return show


def panel(html, situation):
    start = html.index(f'id="who-to-call-{situation}"')
    return html[start : html.index("</section>", start)]


def in_order(text, *names):
    found = [text.index(f">{name}</a>") for name in names]
    assert found == sorted(found), names


def panels(html):
    return re.findall(r'id="who-to-call-([a-z_]+)"', html)


def test_immediate_danger_comes_first_whatever_else_was_recorded(page):
    _, html = page(["labour", "sexual"], danger=True, interpreter_needed=True)

    assert panels(html)[0] == "immediate_danger"
    assert "call 999 now" in html
    assert html.index("call 999 now") < html.index("An adult: ask whether they agree")
    assert panel(html, "immediate_danger").count("contacts/") == 1  # 999 alone
    in_order(panel(html, "immediate_danger"), POLICE_999)


def test_no_danger_recorded_no_999_panel(page):
    _, html = page(["labour"])

    assert "immediate_danger" not in panels(html)
    assert "call 999 now" not in html


def test_a_child_goes_to_childrens_services_then_the_guardian_service(page):
    _, html = page(estimated_age=15)

    assert panels(html) == ["child"]
    in_order(panel(html, "child"), CHILDRENS, ICTG, POLICE_101, HELPLINE)
    assert "ask whether they agree" not in html
    assert "Never use the Duty to Notify for a child" in html


def test_an_adult_is_asked_for_consent_before_who_to_refer_to(page):
    _, html = page()

    assert panels(html) == ["adult_consenting", "adult_declining"]
    assert html.index("ask whether they agree to a referral") < html.index(
        'id="who-to-call-adult_consenting"'
    )


def test_labour_exploitation_leads_with_the_glaa(page):
    _, html = page(["labour"])

    assert panels(html)[-1] == "labour_exploitation"
    in_order(panel(html, "labour_exploitation"), GLAA, HELPLINE, ACAS, POLICE_101)


def test_sexual_exploitation_leads_with_the_police_and_never_the_glaa(page):
    _, html = page(["sexual"])

    sexual = panel(html, "sexual_exploitation")
    in_order(sexual, POLICE_101, SALVATION_ARMY, HELPLINE, NHS_111)
    assert "GLAA" not in sexual


def test_criminal_exploitation_of_an_adult_brings_legal_advice_after_the_police(page):
    _, html = page(["criminal"])

    in_order(panel(html, "criminal_exploitation"), POLICE_101, LEGAL, HELPLINE)


def test_county_lines_for_a_child_is_police_then_childrens_services(page):
    _, html = page(county_lines=True, estimated_age=15)

    assert panels(html) == ["child", "criminal_exploitation_child"]
    in_order(panel(html, "criminal_exploitation_child"), POLICE_101, CHILDRENS, HELPLINE)


def test_domestic_servitude_and_organ_harvesting_in_their_own_orders(page):
    _, html = page(["organ_harvesting", "domestic_servitude"])

    # Kinds follow the table's order, not the order they were ticked in.
    assert panels(html)[-2:] == ["domestic_servitude", "organ_harvesting"]
    in_order(panel(html, "domestic_servitude"), POLICE_101, HELPLINE, SALVATION_ARMY, LEGAL)
    in_order(panel(html, "organ_harvesting"), POLICE_101, NHS_111, HELPLINE)
    assert "GLAA" not in panel(html, "domestic_servitude")


def test_an_interpreter_need_brings_the_interpreting_services_last(page):
    _, html = page(["labour"], interpreter_needed=True, interpreter_language="Romanian")

    assert panels(html)[-1] == "interpreter"
    in_order(panel(html, "interpreter"), INTERPRETERS, HELPLINE)


def test_nothing_about_the_person_is_in_the_url(page):
    url, html = page(["sexual"], interpreter_needed=True, interpreter_language="Romanian")

    links = re.findall(r'href="([^"]+)"', html)
    for address in [url, *links]:
        for word in ["Ana", "Popescu", "Romanian", "sexual", "passport", "Station"]:
            assert word.lower() not in address.lower(), address


def test_the_page_asks_the_same_queries_however_long_the_directory(page, client):
    url, _ = page(["labour", "sexual"], danger=True, interpreter_needed=True, estimated_age=15)

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    before = count()
    for n in range(20):
        local(f"Extra helpline {n}", categories=[Category.HELPLINE, Category.POLICE])

    assert count() == before
