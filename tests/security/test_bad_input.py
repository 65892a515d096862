"""Characters the database cannot store, wherever they arrive: removed from what was typed
(the rest is kept), and a URL holding one is not found. One middleware does it for every view
(safeguard.middleware.UnstorableCharactersMiddleware)."""

from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse

from cases.models import ConcernDraft
from safeguard.middleware import UnstorableCharactersMiddleware


def test_a_reference_with_a_nul_in_the_url_is_not_found(client, world):
    client.force_login(world.lead)

    response = client.get("/cases/SG-2026-00%0001/")

    assert response.status_code == 404


def test_autosave_with_a_nul_keeps_everything_else_that_was_typed(client, world):
    draft = ConcernDraft.objects.create(author=world.frontline, data={})
    client.force_login(world.frontline)

    response = client.post(
        reverse("cases:draft_autosave", args=[draft.pk]),
        {"name": "Ana\x00 Popescu", "aliases": "Ani", "lang\x00uages": "Romanian"},
    )

    assert response.status_code == 204
    draft.refresh_from_db()
    assert draft.data == {"name": "Ana Popescu", "aliases": "Ani", "languages": "Romanian"}


def test_nul_and_lone_surrogates_are_removed_from_query_and_form_values_and_keys():
    seen = {}

    def view(request):
        seen["GET"] = dict(request.GET.lists())
        seen["POST"] = dict(request.POST.lists())

    request = RequestFactory().post("/?q=a%00b")
    # A browser cannot send a lone surrogate as UTF-8; JSON escapes and other clients can.
    request.POST = QueryDict(mutable=True)
    request.POST.setlist("x\x00", ["1\ud800", "2"])
    UnstorableCharactersMiddleware(view)(request)

    assert seen == {"GET": {"q": ["ab"]}, "POST": {"x": ["1", "2"]}}
