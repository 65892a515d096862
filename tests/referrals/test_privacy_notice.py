"""The organisation's privacy notice (issue 21, item 4): a setting with a starting text, shown
to the lead at a referral's consent step and printed in the referral pack."""

import time_machine
from django.urls import reverse

from documents import pdfs
from safeguard.models import DEFAULT_PRIVACY_NOTICE, OrganisationSettings
from tests.auth import sign_in
from tests.documents.test_documents import flat, pdf_text
from tests.referrals.test_referrals import NOW, open_case, start

OWN_NOTICE = "Northshire Outreach keeps your record for six years after your case closes."


def test_a_new_organisation_starts_with_a_notice_it_can_replace(db):
    organisation = OrganisationSettings.load()
    assert organisation.privacy_notice == DEFAULT_PRIVACY_NOTICE
    assert "one month" in DEFAULT_PRIVACY_NOTICE and "Schedule 1" in DEFAULT_PRIVACY_NOTICE


def test_the_admin_edits_the_notice(world, client):
    sign_in(client, world.admin, secret=world.totp[world.admin.pk])
    OrganisationSettings.load()
    page = client.get(reverse("admin:safeguard_organisationsettings_change", args=[1]))
    assert page.status_code == 200
    assert 'name="privacy_notice"' in page.content.decode()


def test_the_consent_step_shows_the_notice(world, log_concern, organisation, client):
    organisation.privacy_notice = OWN_NOTICE
    organisation.save()
    with time_machine.travel(NOW, tick=False):
        referral = start(world, open_case(world, log_concern))
    sign_in(client, world.lead, secret=world.totp[world.lead.pk])
    page = client.get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    assert OWN_NOTICE in page
    assert page.index(OWN_NOTICE) < page.index('name="explained_privacy"')


def test_the_referral_pack_prints_the_notice(world, log_concern, organisation):
    organisation.privacy_notice = OWN_NOTICE
    organisation.save()
    with time_machine.travel(NOW, tick=False):
        referral = start(world, open_case(world, log_concern))
    text = flat(pdf_text(pdfs.referral_pack_pdf(referral, generated_by=world.lead)))
    assert "Privacy notice" in text
    assert OWN_NOTICE in text
