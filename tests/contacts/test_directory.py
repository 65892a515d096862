import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from contacts import selectors, vcard
from contacts.models import Category, Organisation, Person
from safeguard.choices import Pathway
from safeguard.models import AuditEvent

NINE_TO_FIVE = [(day, dt.time(9), dt.time(17)) for day in range(5)]
OVERNIGHT = [(day, dt.time(17), dt.time(9)) for day in range(5)]


def names(entries):
    return [entry.name for entry in entries]


@pytest.fixture
def directory(make_org):
    return {
        "999": make_org(
            "Police emergency",
            categories=[Category.EMERGENCY, Category.POLICE],
            phones=[("Emergency", "999")],
            open_24_7=True,
            coverage_national=True,
        ),
        "cs": make_org(
            "Alder Children's Services",
            categories=[Category.CHILDRENS_SERVICES],
            pathways=[Pathway.CHILDRENS_SERVICES],
            hours=NINE_TO_FIVE,
        ),
        "edt": make_org(
            "Birch out of hours team",
            categories=[Category.CHILDRENS_SERVICES],
            hours=OVERNIGHT,
            areas="Other Borough",
        ),
        "glaa": make_org(
            "Cedar labour authority",
            categories=[Category.LABOUR_RIGHTS],
            is_first_responder=True,
            pathways=[Pathway.NRM],
            coverage_national=True,
            areas="",
        ),
        "helpline": make_org(
            "Dogwood helpline",
            categories=[Category.HELPLINE],
            open_24_7=True,
            coverage_national=True,
            areas="",
        ),
        "refuge": make_org("Elm refuge", categories=[Category.VICTIM_SUPPORT], open_24_7=True),
        "dtn": make_org(
            "Fir council single point of contact",
            categories=[Category.FIRST_RESPONDER],
            is_first_responder=True,
            pathways=[Pathway.NRM, Pathway.DUTY_TO_NOTIFY],
        ),
        "old": make_org("Gorse archived", categories=[Category.EMERGENCY], archived=True),
    }


def test_emergency_entries_come_first_then_by_name(directory):
    assert names(selectors.organisations_listed())[:2] == [
        "Police emergency",
        "Alder Children's Services",
    ]
    assert "Gorse archived" not in names(selectors.organisations_listed())


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"q": "labour"}, ["Cedar labour authority"]),
        ({"q": "refuge elm"}, ["Elm refuge"]),
        (
            {"category": Category.CHILDRENS_SERVICES},
            ["Alder Children's Services", "Birch out of hours team"],
        ),
        ({"pathway": Pathway.DUTY_TO_NOTIFY}, ["Fir council single point of contact"]),
        (
            {"first_responders": True},
            ["Cedar labour authority", "Fir council single point of contact"],
        ),
        (
            {"area": "other borough"},
            [
                "Police emergency",
                "Birch out of hours team",
                "Cedar labour authority",
                "Dogwood helpline",
            ],
        ),
    ],
)
def test_search_and_filters(directory, filters, expected):
    assert names(selectors.organisations_listed(**filters)) == expected


@pytest.mark.parametrize(
    ("moment", "open_ones"),
    [
        # Tuesday 10:00 BST: office hours.
        (dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.UTC), ["Alder Children's Services"]),
        # Tuesday 16:59 BST, then 17:00 BST: office closes, out-of-hours opens.
        (dt.datetime(2026, 6, 2, 15, 59, tzinfo=dt.UTC), ["Alder Children's Services"]),
        (dt.datetime(2026, 6, 2, 16, 0, tzinfo=dt.UTC), ["Birch out of hours team"]),
        # Wednesday 03:00 GMT: still the overnight period that began on Tuesday.
        (dt.datetime(2026, 1, 7, 3, 0, tzinfo=dt.UTC), ["Birch out of hours team"]),
        # Saturday 03:00: Friday night's period runs on; Saturday has no office hours.
        (dt.datetime(2026, 1, 10, 3, 0, tzinfo=dt.UTC), ["Birch out of hours team"]),
        # Sunday noon: nobody but the 24-hour services.
        (dt.datetime(2026, 1, 11, 12, 0, tzinfo=dt.UTC), []),
    ],
)
def test_open_now_follows_uk_time_across_midnight_and_weekends(directory, moment, open_ones):
    always = ["Police emergency", "Dogwood helpline", "Elm refuge"]

    found = names(selectors.organisations_listed(open_now=True, now=moment))

    assert sorted(found) == sorted(always + open_ones)


def test_every_signed_in_role_reads_the_directory(client, world, directory):
    for user in [world.frontline, world.lead, world.manager, world.admin]:
        client.force_login(user)
        html = client.get(reverse("contacts:directory")).content.decode()
        assert "Police emergency" in html and 'href="tel:999"' in html


def test_directory_filters_from_the_page_and_keeps_them(client, world, directory):
    client.force_login(world.frontline)

    html = client.get(
        reverse("contacts:directory"), {"q": "labour", "first_responders": "on"}
    ).content.decode()

    assert "Cedar labour authority" in html and "Dogwood helpline" not in html
    assert 'value="labour"' in html


def test_only_administrators_see_entries_not_checked_for_a_year(client, world, make_org):
    make_org("Hazel stale service", last_verified_on=dt.date(2025, 11, 1))
    make_org("Ivy fresh service", last_verified_on=dt.date(2026, 6, 1))

    with time_machine.travel(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)):
        assert names(selectors.organisations_listed(needs_verification=True)) == [
            "Hazel stale service"
        ]
        client.force_login(world.admin)
        admin_html = client.get(reverse("contacts:directory")).content.decode()
        client.force_login(world.lead)
        lead_html = client.get(
            reverse("contacts:directory"), {"needs_verification": "on"}
        ).content.decode()

    assert "1 entry has not been checked for 12 months" in admin_html
    assert "Not checked for 12 months" not in lead_html
    assert "Ivy fresh service" in lead_html  # the filter is ignored for non-administrators


def test_verification_period_is_a_setting(make_org, settings):
    entry = make_org("Juniper", last_verified_on=dt.date(2026, 5, 1))
    settings.CONTACT_VERIFY_AFTER_DAYS = 90

    assert entry.needs_verification(today=dt.date(2026, 8, 1))
    assert not entry.needs_verification(today=dt.date(2026, 7, 29))


@pytest.mark.parametrize("count", [1, 30])
def test_directory_query_count_does_not_grow(
    client, world, make_org, count, django_assert_max_num_queries
):
    for n in range(count):
        org = make_org(f"Service {n:02}", categories=[Category.HEALTH], hours=NINE_TO_FIVE)
        Person.objects.create(organisation=org, name=f"Named person {n}")
    client.force_login(world.admin)
    client.get(reverse("home"))

    with django_assert_max_num_queries(10):
        client.get(reverse("contacts:directory"))


@pytest.mark.parametrize(
    ("situation", "expected"),
    [
        (selectors.Situation.IMMEDIATE_DANGER, ["Police emergency"]),
        (
            selectors.Situation.CHILD,
            ["Alder Children's Services", "Birch out of hours team", "Dogwood helpline"],
        ),
        (
            selectors.Situation.ADULT_CONSENTING,
            [
                "Fir council single point of contact",
                "Cedar labour authority",
                "Elm refuge",
                "Dogwood helpline",
            ],
        ),
        (
            selectors.Situation.ADULT_DECLINING,
            ["Fir council single point of contact", "Dogwood helpline"],
        ),
        (selectors.Situation.LABOUR_EXPLOITATION, ["Cedar labour authority", "Dogwood helpline"]),
        (selectors.Situation.SAFE_ACCOMMODATION, ["Elm refuge", "Dogwood helpline"]),
    ],
)
def test_who_to_call_gives_the_right_entries_in_order(directory, situation, expected):
    assert names(selectors.who_to_call(situation)) == expected


def test_who_to_call_panel_renders_for_any_page(client, world, directory):
    client.force_login(world.frontline)

    html = client.get(reverse("contacts:who_to_call"), {"situation": "child"}).content.decode()

    assert html.index("Alder Children&#x27;s Services") < html.index("Dogwood helpline")
    assert "Who to call: the person may be under 18" in html


def test_unknown_situation_is_not_found(client, world):
    client.force_login(world.frontline)

    assert client.get(reverse("contacts:who_to_call"), {"situation": "x"}).status_code == 404


def test_card_lists_emergency_and_chosen_entries_only(client, world, directory):
    directory["helpline"].on_card = True
    directory["helpline"].save()
    client.force_login(world.frontline)

    html = client.get(reverse("contacts:card")).content.decode()

    assert "Police emergency" in html and "Dogwood helpline" in html
    assert "Elm refuge" not in html
    assert "@media print" not in html  # print styles live in the stylesheet


def test_vcard_of_an_entry_and_of_a_person(client, world, directory):
    org = directory["cs"]
    org.email, org.address = "front.door@example.org", "1 High Street\nDemo Town, DT1 1AA"
    org.save()
    person = Person.objects.create(organisation=org, name="Kim Duty", job_title="Team manager")
    person.phones.create(label="Mobile", number="+447400123456")
    client.force_login(world.frontline)

    card = client.get(reverse("contacts:vcard", args=[org.pk]))
    text = card.content.decode()
    assert card["Content-Type"].startswith("text/vcard")
    assert 'filename="alder-childrens-services.vcf"' in card["Content-Disposition"]
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n") and text.endswith("END:VCARD\r\n")
    assert "TEL;VALUE=uri;" in text and ":tel:+441614960000" in text
    assert "EMAIL:front.door@example.org" in text
    assert (
        'ADR;LABEL="1 High Street^nDemo Town, DT1 1AA":;;1 High Street\\nDemo Town\\, DT1 1AA;'
        in (text.replace("\r\n ", ""))
    )
    person_text = client.get(reverse("contacts:person_vcard", args=[person.pk])).content.decode()
    assert "FN:Kim Duty" in person_text and "TITLE:Team manager" in person_text
    assert "tel:+447400123456" in person_text


def _properties(card: str) -> list[str]:
    """The card's properties, unfolded (RFC 6350 3.2): one per logical line."""
    return [line for line in card.replace("\r\n ", "").split("\r\n") if line]


@pytest.mark.parametrize("line_break", ["\r", "\n", "\r\n", "\x0b", "\x1b"])
def test_a_line_break_or_control_in_a_directory_field_cannot_start_a_vcard_property(
    make_org, line_break
):
    org = make_org("Rowan project", phones=[(f"Office{line_break}NOTE:label", "0161 496 0000")])
    org.summary = f"x{line_break}NOTE:injected"
    org.address = f"1 Road{line_break}END:VCARD"
    org.save()

    properties = _properties(vcard.organisation_vcard(org))

    assert [p.split(":")[0].split(";")[0] for p in properties] == [
        "BEGIN", "VERSION", "FN", "KIND", "ORG", "TEL", "ADR", "NOTE", "END"
    ]  # fmt: skip
    assert not any(p.startswith(("NOTE:injected", "NOTE:label", "END:VCARD;")) for p in properties)
    assert all(ord(char) >= 0x20 or char == "\t" for p in properties for char in p)


def test_a_double_quote_in_an_address_or_label_cannot_end_the_quoted_parameter(make_org):
    org = make_org("Hazel house", phones=[('Say "urgent"', "0161 496 0000")])
    org.address = 'Flat 2, "The Yard";\\ Demo Town ^1'
    org.save()

    properties = _properties(vcard.organisation_vcard(org))

    adr = next(p for p in properties if p.startswith("ADR;"))
    assert adr == (
        "ADR;LABEL=\"Flat 2, ^'The Yard^';\\ Demo Town ^^1\":"
        ';;Flat 2\\, "The Yard"\\;\\\\ Demo Town ^1;;;;'
    )
    tel = next(p for p in properties if p.startswith("TEL;"))
    assert "LABEL=\"Say ^'urgent^'\":tel:" in tel


def form_data(**overrides):
    data = {
        "name": "Oak Law Centre",
        "summary": "Immigration advice",
        "categories": ["legal"],
        "email": "",
        "website": "",
        "address": "",
        "hours_note": "",
        "languages": "",
        "areas": "Demo Borough",
        "notes": "",
        "submission_token": "token-1",
        "phones-TOTAL_FORMS": "2",
        "phones-INITIAL_FORMS": "0",
        "phones-0-label": "Advice line",
        "phones-0-number": "0161 496 0700",
        "phones-1-label": "",
        "phones-1-number": "",
        "hours-TOTAL_FORMS": "7",
        "hours-INITIAL_FORMS": "0",
    }
    for day in range(7):
        data[f"hours-{day}-weekday"] = str(day)
        data[f"hours-{day}-opens"] = "09:00" if day < 5 else ""
        data[f"hours-{day}-closes"] = "17:00" if day < 5 else ""
    data.update(overrides)
    return data


def test_a_lead_adds_an_entry_with_numbers_and_hours_and_it_is_audited(client, world):
    client.force_login(world.lead)

    response = client.post(reverse("contacts:create"), form_data())

    org = Organisation.objects.get(name="Oak Law Centre")
    assert response.status_code == 302 and response["Location"] == f"/contacts/{org.pk}/"
    assert [p.number for p in org.phones.all()] == ["+441614960700"]
    assert org.hours.count() == 5 and org.categories == [Category.LEGAL]
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE)
    assert (event.actor, event.object_type, event.object_id) == (
        world.lead,
        "organisation",
        str(org.pk),
    )


def test_a_double_submit_creates_one_entry(client, world):
    client.force_login(world.lead)

    first = client.post(reverse("contacts:create"), form_data())
    second = client.post(reverse("contacts:create"), form_data())

    assert Organisation.objects.filter(name="Oak Law Centre").count() == 1
    assert second["Location"] == first["Location"]


def test_bad_number_email_and_hours_are_refused_saying_what_to_fix_and_keeping_input(client, world):
    client.force_login(world.lead)

    response = client.post(
        reverse("contacts:create"),
        form_data(
            **{
                "email": "not-an-email",
                "phones-0-number": "12345",
                "hours-0-opens": "9am",
                "hours-1-closes": "",
            }
        ),
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "<title>Error: Add a contact" in html
    assert "Enter an email address in the right format" in html
    assert "Enter a UK phone number, like 020 7946 0000" in html
    assert "Enter a time like 09:00" in html
    assert "Enter both the opening and the closing time, or neither" in html
    for kept in [
        'value="not-an-email"',
        'value="12345"',
        'value="Oak Law Centre"',
        'value="9am"',
        'value="Advice line"',
    ]:
        assert kept in html
    assert '<a href="#id_phones-0-number">' in html
    assert not Organisation.objects.filter(name="Oak Law Centre").exists()


def test_an_entry_needs_a_category_and_an_area(client, world):
    client.force_login(world.lead)

    html = client.post(
        reverse("contacts:create"), form_data(categories=[], areas="")
    ).content.decode()

    assert "Select at least one category" in html
    assert "Enter the areas they cover, or tick that they cover the whole of the UK" in html


def test_changing_an_entry_records_which_fields_changed(client, world, directory):
    org = directory["refuge"]
    client.force_login(world.admin)
    data = form_data(
        name="Elm refuge",
        summary="Beds tonight",
        categories=["victim_support"],
        open_24_7="on",
        submission_token="",
        **{"phones-0-number": "0161 496 0000", "phones-0-label": "Main"},
    )
    for day in range(7):
        data[f"hours-{day}-opens"] = data[f"hours-{day}-closes"] = ""

    client.post(reverse("contacts:edit", args=[org.pk]), data)

    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE)
    assert event.changed_fields == ["summary"]  # names only, and only what changed
    assert "Beds tonight" not in str(event.__dict__)
    assert [p.number for p in org.phones.all()] == ["+441614960000"]


def test_frontline_and_managers_cannot_edit_the_directory(client, world, directory):
    for user in [world.frontline, world.manager]:
        client.force_login(user)
        assert client.get(reverse("contacts:create")).status_code == 403
        assert client.post(reverse("contacts:verify", args=[directory["cs"].pk])).status_code == 403


def test_national_entries_are_not_edited_in_the_app(client, world, make_org):
    national = make_org("National line", reference_key="national-line", coverage_national=True)
    client.force_login(world.lead)

    response = client.post(reverse("contacts:edit", args=[national.pk]), form_data(name="Changed"))

    assert response.status_code == 302
    national.refresh_from_db()
    assert national.name == "National line"


def test_marking_as_checked_records_who_and_when(client, world, directory):
    org = directory["cs"]

    with time_machine.travel(dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC)):
        client.force_login(world.lead)
        client.post(reverse("contacts:verify", args=[org.pk]))

    org.refresh_from_db()
    assert (org.last_verified_on, org.last_verified_by) == (dt.date(2026, 11, 23), world.lead)
    assert AuditEvent.objects.get(detail="verified").object_id == str(org.pk)


def test_named_people_are_added_changed_and_removed(client, world, directory):
    org = directory["cs"]
    client.force_login(world.lead)
    data = {
        "name": "Lou Duty",
        "job_title": "Duty manager",
        "email": "",
        "notes": "",
        "submission_token": "p-1",
        "phones-TOTAL_FORMS": "1",
        "phones-INITIAL_FORMS": "0",
        "phones-0-label": "Mobile",
        "phones-0-number": "07400 123456",
    }

    client.post(reverse("contacts:person_create", args=[org.pk]), data)
    person = Person.objects.get(name="Lou Duty")
    assert [p.display for p in person.phones.all()] == ["07400 123456"]
    assert org.phones.count() == 1  # the person's number is not the organisation's

    client.post(
        reverse("contacts:person_edit", args=[person.pk]),
        {**data, "job_title": "Service manager", "submission_token": ""},
    )
    person.refresh_from_db()
    assert person.job_title == "Service manager"

    client.post(reverse("contacts:person_remove", args=[person.pk]))
    assert not Person.objects.filter(pk=person.pk).exists()
    assert AuditEvent.objects.filter(object_id=str(org.pk)).count() == 3


# --- Opening hours sent wrong (issue 14) -------------------------------------------------------


def test_opening_hours_take_their_day_from_the_row_whatever_weekday_is_sent(client, world):
    client.force_login(world.lead)
    data = form_data(**{"hours-0-weekday": "abc", "hours-1-weekday": "9", "hours-2-weekday": "-1"})
    del data["hours-3-weekday"]

    response = client.post(reverse("contacts:create"), data)

    assert response.status_code == 302
    org = Organisation.objects.get(name="Oak Law Centre")
    assert sorted(org.hours.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]


def test_opening_hours_with_a_bad_weekday_and_an_error_show_each_day_by_name(client, world):
    client.force_login(world.lead)

    response = client.post(
        reverse("contacts:create"),
        form_data(**{"hours-0-weekday": "abc", "email": "not-an-email"}),
    )

    assert response.status_code == 200
    assert "Enter an email address in the right format" in response.text
    assert "Monday" in response.text and "Sunday" in response.text


def test_more_than_seven_days_of_opening_hours_are_refused_saying_why(client, world):
    client.force_login(world.lead)

    response = client.post(
        reverse("contacts:create"), form_data(**{"hours-TOTAL_FORMS": "99999999999"})
    )

    assert response.status_code == 200
    assert "Enter opening hours for the seven days of the week only" in response.text
    assert not Organisation.objects.filter(name="Oak Law Centre").exists()


def test_a_form_claiming_thousands_of_phone_numbers_builds_ten_rows_and_says_why(client, world):
    client.force_login(world.lead)

    response = client.post(
        reverse("contacts:create"), form_data(**{"phones-TOTAL_FORMS": "99999999999"})
    )

    assert response.status_code == 200
    assert "Enter at most 10 phone numbers" in response.text
    assert 'name="phones-10-number"' not in response.text
    assert not Organisation.objects.filter(name="Oak Law Centre").exists()
