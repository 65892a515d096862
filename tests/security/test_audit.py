import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from safeguard import audit, selectors
from safeguard.models import AuditEvent
from tests.auth import sign_in


def make_event(**fields) -> AuditEvent:
    return AuditEvent.objects.create(action=AuditEvent.Action.VIEW, **fields)


@pytest.mark.django_db
def test_the_database_refuses_to_change_an_audit_event():
    event = make_event(reference="C-1")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reference="C-2")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.detail = "tampered"
        event.save()

    event.refresh_from_db()
    assert (event.reference, event.detail) == ("C-1", "")


@pytest.mark.django_db
def test_the_database_refuses_to_delete_an_audit_event_even_in_raw_sql():
    event = make_event()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM safeguard_auditevent")

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def settle_deferred_constraints():
    """PostgreSQL refuses to TRUNCATE a table with foreign key checks still pending in the
    transaction (the test's own insert): run them now, so only the trigger can refuse."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    ["TRUNCATE safeguard_auditevent", "TRUNCATE safeguard_user CASCADE"],
    ids=["the-table", "through-a-cascade"],
)
def test_the_database_refuses_to_truncate_the_audit_table_even_for_its_owner(statement):
    if connection.vendor != "postgresql":
        pytest.fail("TRUNCATE is PostgreSQL's: run with DATABASE_URL=postgres://...")
    make_event()
    settle_deferred_constraints()

    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_manage_py_flush_cannot_empty_the_audit_trail():
    make_event()
    settle_deferred_constraints()

    with pytest.raises(CommandError, match="couldn't be flushed") as refused:
        call_command("flush", interactive=False, verbosity=0)

    assert "append-only: TRUNCATE refused" in str(refused.value.__cause__)

    assert AuditEvent.objects.count() == 1


def test_sign_in_and_sign_out_are_recorded_with_ip_and_request_id(client, world):
    sign_in(client, world.frontline)
    client.post(reverse("account_logout"))

    signed_in = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN)
    signed_out = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_OUT)
    assert signed_in.actor == signed_out.actor == world.frontline
    assert signed_in.ip == "127.0.0.1"
    assert len(signed_in.request_id) == 36 and signed_in.request_id != signed_out.request_id


def test_every_response_carries_its_request_id(client, world):
    client.force_login(world.manager)
    client.get(reverse("audit_log"), {"action": "view"})

    response = client.get(reverse("home"))

    assert len(response["X-Request-ID"]) == 36


def test_a_refused_page_is_recorded(client, world):
    client.force_login(world.frontline)

    assert client.get(reverse("audit_log")).status_code == 403

    event = AuditEvent.objects.get(action=AuditEvent.Action.ACCESS_DENIED)
    assert (event.actor, event.detail, event.path) == (world.frontline, "audit_log", "/audit/")


@pytest.mark.parametrize("role_name", ["manager", "admin"])
def test_managers_and_administrators_read_the_audit_log(client, world, role_name):
    make_event(actor=world.lead, object_type="case", object_id="7", reference="C-7")
    client.force_login(getattr(world, role_name))

    html = client.get(reverse("audit_log")).content.decode()

    assert "Lee Lead" in html and "C-7" in html


def test_audit_log_filters_by_user_action_reference_and_uk_dates(client, world):
    with time_machine.travel(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)):  # 1 July, BST
        make_event(actor=world.lead, reference="C-1")
    with time_machine.travel(dt.datetime(2026, 7, 2, 10, 0, tzinfo=dt.UTC)):
        make_event(actor=world.lead_south, reference="C-2")
    filtered = selectors.audit_events(date_from=dt.date(2026, 7, 1), date_to=dt.date(2026, 7, 1))
    assert [e.reference for e in filtered] == ["C-1"]
    assert [e.reference for e in selectors.audit_events(actor=world.lead_south)] == ["C-2"]
    assert [e.reference for e in selectors.audit_events(reference="c-2")] == ["C-2"]

    client.force_login(world.manager)
    html = client.get(reverse("audit_log"), {"actor": world.lead_south.pk}).content.decode()
    assert "C-2" in html and "C-1" not in html


def test_a_reversed_date_range_says_what_to_fix_and_keeps_the_dates(client, world):
    client.force_login(world.manager)

    html = client.get(
        reverse("audit_log"), {"date_from": "2026-07-02", "date_to": "2026-07-01"}
    ).content.decode()

    assert "The end date must be the same as or after the start date" in html
    assert 'name="date_from_0" value="2"' in html and 'name="date_to_0" value="1"' in html


def test_searching_the_audit_log_is_itself_recorded(client, world):
    client.force_login(world.manager)

    client.get(reverse("audit_log"), {"action": "sign_in"})

    assert AuditEvent.objects.get(action=AuditEvent.Action.SEARCH).actor == world.manager


def test_audit_export_is_a_csv_of_the_filtered_events_and_is_recorded(client, world):
    make_event(
        actor=world.lead,
        object_type="case",
        object_id="7",
        reference="C-7",
        changed_fields=["lead", "status"],
    )
    make_event(actor=world.lead_south, reference="C-8")
    client.force_login(world.manager)

    response = client.get(reverse("audit_log_export"), {"reference": "C-7"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "time (UK)"
    assert [row[5] for row in rows[1:]] == ["C-7"]
    assert rows[1][6] == "lead status"
    exported = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (exported.actor, exported.detail) == (world.manager, "reference=C-7")


def test_audit_log_records_only_its_own_filters_never_what_else_the_address_carried(client, world):
    client.force_login(world.manager)

    client.get(
        reverse("audit_log"),
        {"reference": "C-7", "actor": world.lead.pk, "q": "Demo Person Alpha", "name": "Alpha"},
    )

    searched = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert searched.detail == f"actor={world.lead.pk}; reference=C-7"


def test_audit_log_refuses_a_name_in_the_reference_filter_and_records_no_words(client, world):
    client.force_login(world.manager)

    response = client.get(reverse("audit_log"), {"reference": "Demo Person"})

    assert "Enter a record reference, like SG-2026-000042, not a name" in response.text
    searched = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert searched.detail == "invalid filters"


def test_the_audit_export_never_writes_a_cell_a_spreadsheet_would_run(client, world):
    make_event(actor=world.lead, reference="C-7", detail='=HYPERLINK("http://x.example","y")')
    client.force_login(world.manager)

    response = client.get(reverse("audit_log_export"))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    details = [row[7] for row in rows[1:] if row[5] == "C-7"]
    assert details == ['\'=HYPERLINK("http://x.example","y")']


@pytest.mark.parametrize("count", [1, 50])
def test_audit_log_query_count_does_not_grow_with_rows(
    client, world, count, django_assert_max_num_queries
):
    for n in range(count):
        make_event(actor=[world.lead, world.lead_south, world.manager][n % 3], reference=f"C-{n}")
    client.force_login(world.manager)
    client.get(reverse("home"))

    with django_assert_max_num_queries(8):
        client.get(reverse("audit_log"))


def test_record_names_a_record_by_reference_not_by_content(db, world, rf):
    request = rf.get("/x/")
    request.user = world.lead
    world.north.audit_reference = "T-9"

    event = audit.record(
        request, action=audit.Action.CHANGE, obj=world.north, changed_fields={"name", "description"}
    )

    assert (event.object_type, event.object_id, event.reference) == (
        "team",
        str(world.north.pk),
        "T-9",
    )
    assert event.changed_fields == ["description", "name"]
    assert world.north.name not in str(event.__dict__)


def test_viewers_selector_lists_views_of_one_record_newest_first(db, world):
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)):
        make_event(actor=world.lead, object_type="case", object_id="5")
    with time_machine.travel(dt.datetime(2026, 1, 2, 9, tzinfo=dt.UTC)):
        make_event(actor=world.manager, object_type="case", object_id="5")
    make_event(actor=world.frontline, object_type="case", object_id="6")

    viewers = selectors.audit_viewers_of(object_type="case", object_id=5)

    assert [e.actor for e in viewers] == [world.manager, world.lead]


def test_audit_log_ending_on_the_last_day_of_year_9999_says_what_to_fix(client, world):
    client.force_login(world.manager)

    response = client.get(reverse("audit_log"), {"date_to": "9999-12-31"})

    assert response.status_code == 200
    assert "The date must be between 1 January 1900 and " in response.text
    assert 'name="date_to_2" value="9999"' in response.text
