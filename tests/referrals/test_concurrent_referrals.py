"""The new-referral form sent twice at the same moment (issue 14, item 11): real requests on
PostgreSQL, each in its own thread with its own connection (tests.concurrently)."""

from django.urls import reverse

from cases.models import Case
from referrals.models import Referral
from tests.concurrently import race, same_session, signed_in_client
from tests.referrals.test_referrals import open_case, recipient  # noqa: F401  (a fixture)


def test_the_new_referral_form_sent_twice_at_once_makes_one_referral(
    transactional_db,
    world,
    log_concern,
    organisation,
    recipient,  # noqa: F811
):
    case = open_case(world, log_concern)
    client = signed_in_client(world.lead)
    other = same_session(client)  # a double click
    page = reverse("referrals:case_referrals", args=[case.reference])
    data = {
        "pathway": "nrm",
        "recipient": recipient.pk,
        "competent_authority": "sca",
        "submission_token": "3f2a9c0d5e6b4a7f8e1d2c3b4a5f6e7d",
    }

    # Both queue behind a lock on the case, which a new referral refers to.
    first, second = race(
        lambda: Case.objects.select_for_update().get(pk=case.pk),
        lambda: client.post(page, data),
        lambda: other.post(page, data),
    )

    referral = Referral.objects.get()
    done = reverse("referrals:detail", args=[referral.reference])
    assert (first.status_code, second.status_code) == (302, 302)
    assert first["Location"] == second["Location"] == done


def test_a_form_sent_back_with_its_errors_can_be_sent_again_with_its_token(
    client,
    world,
    log_concern,
    organisation,
    recipient,  # noqa: F811
):
    case = open_case(world, log_concern)
    client.force_login(world.lead)
    page = reverse("referrals:case_referrals", args=[case.reference])
    data = {"recipient": recipient.pk, "competent_authority": "sca", "submission_token": "tab-1"}

    refused = client.post(page, data)  # no pathway chosen
    corrected = client.post(page, {**data, "pathway": "nrm"})
    again = client.post(page, {**data, "pathway": "nrm"})

    assert refused.status_code == 200 and "Select a pathway" in refused.content.decode()
    referral = Referral.objects.get()
    assert (
        corrected["Location"]
        == again["Location"]
        == reverse("referrals:detail", args=[referral.reference])
    )


def test_one_users_token_is_nothing_to_another(client, world, log_concern, organisation):
    case = open_case(world, log_concern)
    page = reverse("referrals:case_referrals", args=[case.reference])
    data = {"pathway": "nrm", "competent_authority": "sca", "submission_token": "same"}
    client.force_login(world.lead)
    client.post(page, data)

    client.force_login(world.manager)
    client.post(page, data)

    assert Referral.objects.count() == 2
