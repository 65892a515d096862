import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from safeguard.dates import uk_day_bounds, uk_day_start
from safeguard.models import Nation, OrganisationSettings, Role, User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_stored_lower_case_and_signs_in_whatever_the_case():
    user = User.objects.create_user("Ann.Person@Example.TEST", TEST_PASSWORD, full_name="Ann")

    assert user.email == "ann.person@example.test"
    assert authenticate(username="ANN.person@example.test", password=TEST_PASSWORD) == user


def test_two_users_cannot_share_an_email_in_different_case():
    User.objects.create_user("ann@example.test", TEST_PASSWORD, full_name="Ann")
    with pytest.raises((IntegrityError, ValidationError)), transaction.atomic():
        User.objects.create_user("ANN@example.test", TEST_PASSWORD, full_name="Other Ann")


def test_the_database_refuses_emails_differing_only_in_case():
    UserFactory(email="bo@example.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypasses the manager's normalisation, as a careless import script might.
        User.objects.bulk_create([User(email="BO@example.test", full_name="Bo again")])


def test_create_user_requires_an_email():
    with pytest.raises(ValueError, match="email address is required"):
        User.objects.create_user("", TEST_PASSWORD, full_name="Nobody")


@pytest.mark.parametrize(
    ("role", "reaches_admin"),
    [(Role.FRONTLINE, False), (Role.LEAD, False), (Role.MANAGER, False), (Role.ADMIN, True)],
)
def test_only_administrators_are_staff(role, reaches_admin):
    assert UserFactory(role=role).is_staff is reaches_admin


def test_a_deactivated_administrator_is_not_staff_and_cannot_sign_in():
    admin = UserFactory(role=Role.ADMIN, is_active=False)

    assert admin.is_staff is False
    assert authenticate(username=admin.email, password=TEST_PASSWORD) is None


def test_createsuperuser_makes_an_administrator():
    user = User.objects.create_superuser("root@example.test", TEST_PASSWORD, full_name="Root")

    assert user.role == Role.ADMIN
    assert user.is_superuser


def test_organisation_settings_is_one_row():
    first = OrganisationSettings.load()
    first.name = "Northshire Council"
    first.save()

    assert OrganisationSettings.load().name == "Northshire Council"
    assert OrganisationSettings.objects.count() == 1
    # A second instance saves over the one row instead of adding another.
    OrganisationSettings(name="Other").save()
    assert OrganisationSettings.objects.count() == 1


def test_the_database_refuses_a_second_organisation_settings_row():
    OrganisationSettings.load()
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationSettings.objects.bulk_create([OrganisationSettings(pk=2, name="Second")])


@pytest.mark.parametrize("nation", [Nation.SCOTLAND, Nation.NORTHERN_IRELAND])
def test_duty_to_notify_is_refused_outside_england_and_wales(nation):
    settings = OrganisationSettings(nation=nation, holds_duty_to_notify=True)

    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert "England and Wales" in str(error.value.message_dict["holds_duty_to_notify"])


def test_duty_to_notify_is_accepted_in_england_and_wales():
    OrganisationSettings(nation=Nation.ENGLAND_AND_WALES, holds_duty_to_notify=True).full_clean()


# Every timer length: 0 would leave the deadline arithmetic nothing to count (it raises), so
# a concern could not be logged.
LENGTHS = [
    "refer_hours",
    "rg_working_days",
    "recovery_days",
    "cg_not_before_days",
    "reconsideration_days",
    "move_on_days",
    "place_of_safety_working_days",
    "guardian_referral_working_days",
]


@pytest.mark.parametrize("field", LENGTHS)
def test_a_timer_length_of_nought_is_a_form_error_and_the_database_refuses_it(field):
    settings = OrganisationSettings.load()
    setattr(settings, field, 0)

    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert "at least 1" in str(error.value.message_dict[field])
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationSettings.objects.filter(pk=1).update(**{field: 0})


def test_every_timer_length_setting_is_held_to_at_least_one():
    from referrals.rules import LENGTH_FIELDS

    assert set(LENGTH_FIELDS.values()) == set(LENGTHS)


# --- The UK day (safeguard.dates) -------------------------------------------------------------


def test_a_uk_day_starts_at_midnight_gmt_in_winter_and_bst_in_summer():
    assert uk_day_start(dt.date(2026, 12, 1)) == dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
    assert uk_day_start(dt.date(2026, 7, 1)) == dt.datetime(2026, 6, 30, 23, 0, tzinfo=dt.UTC)


def test_a_range_of_uk_days_covers_the_short_day_of_the_clock_change_whole():
    start, end = uk_day_bounds(dt.date(2026, 3, 29), dt.date(2026, 3, 29))

    # 23 real hours: aware arithmetic in one zone would count 24 wall-clock hours.
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=23)
    assert uk_day_bounds(None, None) == (None, None)


def test_a_range_ending_on_the_last_day_of_the_calendar_is_open_ended():
    start, end = uk_day_bounds(dt.date(2026, 1, 1), dt.date.max)

    assert start is not None and end is None
