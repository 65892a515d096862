"""The national entries shipped in fixtures/contacts.json are the ones in ../shared/DOMAIN.md."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from contacts.models import Category, Organisation, Phone

# DOMAIN.md, "Contacts directory: national entries to ship".
DOMAIN_NUMBERS = {
    "police-emergency": "999",
    "police-non-emergency": "101",
    "modern-slavery-helpline": "08000 121 700",
    "salvation-army-msvcc": "0800 808 3733",
    "glaa": "0800 432 0804",
    "acas": "0300 123 1100",
    "crimestoppers": "0800 555 111",
    "nhs-111": "111",
    "a21-uk": "020 7736 6994",
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_reference_data", verbosity=0)


def test_every_national_entry_ships_with_the_number_in_domain(loaded):
    shipped = {
        org.reference_key: [phone.display for phone in org.phones.all()]
        for org in Organisation.objects.exclude(reference_key=None)
    }

    assert {key: numbers[0] for key, numbers in shipped.items() if numbers} == DOMAIN_NUMBERS


def test_the_competent_authorities_ship_as_nrm_recipients_without_invented_numbers(loaded):
    for key in ["single-competent-authority", "immigration-enforcement-competent-authority"]:
        authority = Organisation.objects.get(reference_key=key)
        assert Category.COMPETENT_AUTHORITY in authority.categories
        assert "nrm" in authority.pathways
        assert not authority.phones.exists()


def test_the_guardianship_service_ships_as_a_guardian_recipient_without_invented_details(
    loaded,
):
    """DOMAIN.md names the ICTG service and Barnardo's, but gives no number or address."""
    ictg = Organisation.objects.get(reference_key="ictg")

    assert "guardian" in ictg.pathways
    assert "Barnardo's" in ictg.name
    assert not ictg.phones.exists() and not ictg.website and not ictg.email
    assert not ictg.coverage_national  # about two thirds of areas in England and Wales


def test_the_helpline_number_is_not_the_transposed_one_from_seed_002(loaded):
    assert not Phone.objects.filter(number__in=["+448000700121", "08000700121"]).exists()
    raw = (Path(settings.BASE_DIR) / "fixtures" / "contacts.json").read_text()
    assert "+448000700121" not in raw


def test_the_old_salvation_army_number_from_seed_000_is_not_dialled(loaded):
    assert not Phone.objects.filter(number="+443003038151").exists()


def test_national_entries_carry_their_verification_date(loaded):
    assert (
        not Organisation.objects.exclude(reference_key=None).filter(last_verified_on=None).exists()
    )


def test_999_is_the_emergency_entry_and_24_hours(loaded):
    emergency = Organisation.objects.get(reference_key="police-emergency")

    assert Category.EMERGENCY in emergency.categories
    assert emergency.open_24_7 and emergency.on_card


def test_loading_again_updates_in_place_and_keeps_local_entries(loaded):
    local = Organisation.objects.create(name="Local safe house", areas="Demo Borough")

    call_command("load_reference_data", verbosity=0)

    # The two competent authorities and the guardianship service ship without a number.
    assert Organisation.objects.exclude(reference_key=None).count() == len(DOMAIN_NUMBERS) + 3
    assert Phone.objects.filter(organisation__reference_key__isnull=False).count() == len(
        DOMAIN_NUMBERS
    )
    assert Organisation.objects.filter(pk=local.pk).exists()


def test_the_fixture_holds_reference_data_only():
    entries = json.loads((Path(settings.BASE_DIR) / "fixtures" / "contacts.json").read_text())

    assert {entry["model"] for entry in entries} == {"contacts.organisation", "contacts.phone"}
    assert all("pk" not in entry for entry in entries)


def test_the_reference_data_loads_where_the_tags_migration_made_are_gone():
    """A test that commits is undone by emptying every table, rows migrations made too: the
    directory's tags are reference data of their own, so the contacts still load (and a
    second load changes nothing)."""
    from contacts.models import Tag

    Organisation.objects.all().delete()
    Tag.objects.all().delete()

    call_command("load_reference_data", verbosity=0)
    tags = Tag.objects.count()
    call_command("load_reference_data", verbosity=0)

    assert Organisation.objects.filter(tags__kind="category", tags__code="emergency").exists()
    assert tags == Tag.objects.count() == 20
