"""Hostile input to every form and every record URL, for every role: nothing answers 5xx.

The URLconf is walked (as in test_url_policy), so a new page is fuzzed without anyone adding
it here; a URL argument this module cannot fill from the world fails its test, so a new kind
of record is not skipped in silence. Each page is opened by each role; every form it shows
(found in the HTML, as a browser would) is sent back with hostile values: each value into
each field in turn (the first time a form is seen), then whole-form variants (all empty,
fields missing, repeated keys, other content types). Record URLs are opened with hostile ids.

One world is built per module; every request runs in a savepoint that is rolled back, so each
one meets the same world, and a database error in one cannot break the next.
"""

import datetime as dt
import json
import re
import traceback
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from weasyprint import HTML as RealHTML

from cases import services as case_services
from cases.models import (
    Concern,
    ConcernDraft,
    ExploitationSituation,
    RiskAssessment,
    Setting,
    SupportNeed,
)
from cases.models import Person as Subject
from cases.record import PARTS
from contacts.models import OpeningHours, Organisation, Phone
from contacts.models import Person as Contact
from dashboards import statistics
from documents.models import DocumentJob, EvidenceDocument
from referrals import services as referral_services
from referrals.deadlines import Timer
from referrals.models import ConsentToShare, Reminder, SharingWhat
from safeguard import access, pdf
from safeguard.choices import Pathway
from safeguard.models import OrganisationSettings, Role
from subject_access import services as subject_access_services
from subject_access.models import Bundle
from tests.auth import enrol_totp, request_as
from tests.factories import TeamFactory, UserFactory
from tests.referrals.factories import DeadlineFactory, ReferralFactory
from tests.security.test_url_policy import all_url_names

# What a fuzzer types. Lone surrogates cannot be sent as UTF-8 by a browser, but they arrive
# through percent-encoded bytes and JSON escapes, and psycopg cannot encode them.
HOSTILE = {
    "empty": "",
    "long": "x" * 100_000,
    "nul": "a\x00b",
    "surrogate": "a\ud800b",
    "emoji": "\U0001f9d1\u200d\U0001f692\U0001f525",
    "right-to-left": "\u202e\u0645\u0631\u062d\u0628\u0627\u202c",
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "30 February": "2026-02-30",
    "huge": "99999999999",
    "huger": "9" * 30,
    "negative": "-1",
    "not offered": "not-a-choice",
}
HOSTILE_IDS = ["%00", "a%00b", "9" * 30, "-1", "%F0%9F%94%A5", "%ED%A0%80", "%D9%85", "..%2F"]

ROLE_OF = {
    "frontline": Role.FRONTLINE,
    "lead": Role.LEAD,
    "lead_south": Role.LEAD,
    "manager": Role.MANAGER,
    "admin": Role.ADMIN,
}
ROLES = tuple(ROLE_OF)


def _encode(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def urlencode(pairs) -> str:
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs)


# --- The world -------------------------------------------------------------------------------


def build_world() -> SimpleNamespace:
    call_command("load_reference_data", verbosity=0)
    organisation = OrganisationSettings.load()
    organisation.is_first_responder = True
    organisation.holds_duty_to_notify = True
    organisation.save()
    north, south = TeamFactory(name="North team"), TeamFactory(name="South team")
    w = SimpleNamespace(
        frontline=UserFactory(role=Role.FRONTLINE, teams=[north]),
        lead=UserFactory(role=Role.LEAD, teams=[north]),
        lead_south=UserFactory(role=Role.LEAD, teams=[south]),
        manager=UserFactory(role=Role.MANAGER, teams=[north, south]),
        admin=UserFactory(role=Role.ADMIN),
    )
    for user in (w.lead, w.lead_south, w.manager, w.admin):
        enrol_totp(user)

    def concern(**person):
        return case_services.concern_submit(
            request=request_as(w.frontline),
            person=Subject(name="Ana Example", date_of_birth=dt.date(1990, 1, 1), **person),
            concern=Concern(
                observed_at=timezone.now() - dt.timedelta(hours=1),
                location="Station Road",
                setting=Setting.HOTEL,
                observer_account="Seen with a man who held her passport.",
            ),
            exploitation_types=[],
            observations=[],
            links=[],
        )

    w.concern = concern()  # awaiting triage
    in_case = concern()
    w.case = case_services.case_open(
        request=request_as(w.lead),
        person=in_case.person,
        team=north,
        lead=w.lead,
        concerns=[in_case],
    )
    w.person = w.case.person
    w.need = SupportNeed.objects.create(case=w.case, domain="housing", need="A safe place")
    w.situation = ExploitationSituation.objects.create(case=w.case, kinds=["forced_work"])
    RiskAssessment.objects.create(
        case=w.case,
        assessed_by=w.lead,
        level="high",
        summary="Exploiter knows her address",
        review_on=timezone.localdate() + dt.timedelta(days=7),
    )
    w.org = Organisation.objects.create(name="Safe House Trust", areas="Demo Borough")
    Phone.objects.create(organisation=w.org, label="Main", number="+441614960000")
    OpeningHours.objects.create(organisation=w.org, weekday=0, opens="09:00", closes="17:00")
    w.contact = Contact.objects.create(organisation=w.org, name="Kim Duty", job_title="Manager")
    w.referrals = [
        referral_services.referral_create(
            request=request_as(w.lead),
            case=w.case,
            pathway=pathway,
            recipient=w.org,
            competent_authority="sca" if pathway == Pathway.NRM else "",
        )
        # The guardian referral is a child's: the case here is an adult's.
        for pathway in Pathway.values
        if pathway != Pathway.GUARDIAN
    ]
    w.agreement = ConsentToShare.objects.create(
        case=w.case,
        what=SharingWhat.RECORD,
        organisation=w.org,
        agreed_on=timezone.localdate(),
        recorded_by=w.lead,
    )
    submitted = ReferralFactory(
        case=w.case, pathway=Pathway.NRM, submitted_at=timezone.now() - dt.timedelta(days=3)
    )
    w.referrals.append(submitted)
    w.deadline = DeadlineFactory(
        timer=Timer.RECOVERY_PERIOD,
        case=w.case,
        referral=submitted,
        starts_at=timezone.now() - dt.timedelta(days=2),
        due_at=timezone.now() + dt.timedelta(days=10),
        assignee=w.lead,
    )
    Reminder.objects.create(deadline=w.deadline, stage="due", recipient=w.lead)
    w.job = DocumentJob.objects.create(
        kind=DocumentJob.Kind.CHRONOLOGY, case=w.case, requested_by=w.lead
    )
    w.evidence = EvidenceDocument.objects.create(
        case=w.case,
        kind="other",
        description="A letter from the support provider",
        original_name="letter.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        file=ContentFile(b"%PDF-1.7\n", name="evidence/fuzz.pdf"),
        uploaded_by=w.lead,
    )
    w.sar = subject_access_services.request_record(
        request=request_as(w.lead),
        person=w.person,
        team=north,
        handler=w.lead,
        requester="person",
        requester_name="",
        how_received="letter",
        received_on=timezone.localdate(),
    )
    subject_access_services.items_review(request=request_as(w.lead), sar=w.sar)
    w.sar_item = w.sar.redaction_items.first()
    w.bundle = Bundle.objects.create(request=w.sar, requested_by=w.lead)
    # A draft of each person's own: nobody may open another's.
    w.drafts = {
        role: ConcernDraft.objects.create(author=getattr(w, role), data={"immediate_danger": "no"})
        for role in ROLES
    }
    return w


def _admin_object(name: str):
    # admin:<app>_<model>_<view>: a row of that model.
    app_model = name.removeprefix("admin:").rsplit("_", 1)[0].replace("_", ".", 1)
    model = next(m for m in apps.get_models() if f"{m._meta.label_lower}" == app_model)
    row = model._default_manager.order_by("pk").first()
    if row is None:
        pytest.fail(f"{name}: the world has no {model.__name__}: add one to build_world()")
    return row


CASE_PAGES = {
    "cases:case_detail",
    "cases:case_chronology",
    "cases:case_support",
    "cases:case_support_plan",
    "cases:case_support_start",
    "cases:case_support_agreement",
    "cases:case_risk",
    "cases:case_members",
    "cases:case_close",
    "cases:case_reopen",
    "cases:case_record",
    "cases:case_record_add",
    "cases:case_record_edit",
    "referrals:case_referrals",
    "referrals:age_settle",
    "referrals:guardian_not_needed",
    "referrals:case_sharing",
    "referrals:sharing_withdraw",
    "documents:case_documents",
    "documents:missing_person",
    "documents:chronology_pdf",
    "documents:evidence_add",
    "documents:evidence_download",
}
CONCERN_PAGES = {
    "cases:concern_detail",
    "cases:concern_next_steps",
    "cases:concern_addendum",
    "cases:concern_triage",
}
REFERRAL_PAGES = {
    "referrals:detail",
    "referrals:transition",
    "referrals:consent",
    "referrals:correct",
    "referrals:task_list",
    "referrals:check_answers",
    "referrals:answers",
    "documents:pack",
    "documents:pack_preview",
    "documents:pack_with_evidence",
}


def argument_values(name: str, argument: str, w, role: str) -> list[str]:
    """Real values for one URL argument, from the world. Unknown: the test fails."""
    if argument == "reference":
        if name in CASE_PAGES:
            return [w.case.reference]
        if name in CONCERN_PAGES:
            return [w.concern.reference, w.case.concerns.first().reference]
        if name in REFERRAL_PAGES:
            return [r.reference for r in w.referrals]
        if name in ("cases:person_photo", "cases:person_merge", "retention:review"):
            return [w.person.reference]
        if name.startswith("subject_access:"):
            return [w.sar.reference]
    by_name = {
        ("contacts:detail", "pk"): w.org.pk,
        ("contacts:edit", "pk"): w.org.pk,
        ("contacts:verify", "pk"): w.org.pk,
        ("contacts:vcard", "pk"): w.org.pk,
        ("contacts:person_create", "organisation_pk"): w.org.pk,
        ("contacts:person_edit", "pk"): w.contact.pk,
        ("contacts:person_remove", "pk"): w.contact.pk,
        ("contacts:person_vcard", "pk"): w.contact.pk,
        ("referrals:deadline_reassign", "pk"): w.deadline.pk,
        ("documents:evidence_download", "evidence_id"): w.evidence.pk,
        ("referrals:sharing_withdraw", "pk"): w.agreement.pk,
        ("dashboards:statistics_export", "figure"): next(iter(statistics.FIGURES)),
        # Nobody in the world has a security key: the page answers "not found".
        ("mfa_edit_webauthn", "pk"): 1,
        ("mfa_remove_webauthn", "pk"): 1,
        ("account_confirm_email", "key"): "not-a-key",
        ("account_reset_password_from_key", "uidb36"): "1",
        ("account_reset_password_from_key", "key"): "set-password-key",
        ("admin:app_list", "app_label"): "cases",
        ("admin:view_on_site", "content_type_id"): ContentType.objects.get_for_model(
            type(w.case)
        ).pk,
        ("admin:view_on_site", "object_id"): w.case.pk,
    }
    if (name, argument) in by_name:
        return [str(by_name[name, argument])]
    if argument == "part" and name.startswith("cases:case_record"):
        return list(PARTS)
    if (name, argument) == ("cases:case_record_edit", "pk"):
        return [str(w.situation.pk)]
    if argument == "item" and name.startswith("subject_access:"):
        return [str(w.sar_item.pk)]
    if argument == "bundle" and name.startswith("subject_access:"):
        return [str(w.bundle.pk)]
    if argument == "draft" and name.startswith("cases:draft_"):
        return [str(w.drafts[role].pk)]
    if argument == "job_id" and name.startswith("documents:document_job"):
        return [str(w.job.pk)]
    if argument == "object_id" and name.startswith("admin:"):
        return [str(_admin_object(name).pk)]
    pytest.fail(f"No value for {argument!r} of {name!r}: add one to argument_values()")


# --- Forms, as a browser finds them ----------------------------------------------------------


class FormParser(HTMLParser):
    """The page's forms: method, action, and each named control with what a browser sends."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def _field(self, name, kind):
        return self._form["fields"].setdefault(name, {"kind": kind, "offered": []})["offered"]

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {
                "method": a.get("method", "get").lower(),
                "action": a.get("action", ""),
                "fields": {},  # name -> kind and offered values (the first is what is sent)
                "files": [],
                "buttons": [],
                # Where the page's script also sends the form (a draft's autosave).
                "also": a.get("data-autosave-url", ""),
            }
            self.forms.append(self._form)
            return
        name = a.get("name")
        if self._form is None or not name:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "file":
                self._form["files"].append(name)
            elif kind in ("submit", "button", "image", "reset"):
                self._form["buttons"].append((name, a.get("value", "")))
            elif kind in ("radio", "checkbox"):
                offered = self._field(name, "choice")
                value = a.get("value", "on")
                offered.insert(0, value) if "checked" in a else offered.append(value)
            else:
                numeric = a.get("inputmode") == "numeric" or kind in ("date", "time", "number")
                self._field(name, "number" if numeric else kind).insert(0, a.get("value", ""))
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._form["buttons"].append((name, a.get("value", "")))
        elif tag == "select":
            self._select = self._field(name, "choice")
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.insert(0, value) if "selected" in a else self._select.append(value)
        elif tag == "textarea":
            self._textarea = name
            self._field(name, "text").append("")

    def handle_data(self, data):
        if self._textarea and self._form:
            self._form["fields"][self._textarea]["offered"][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def baseline(form: dict) -> dict[str, str]:
    """What the form sends as offered: the chosen or first option, the typed value."""
    return {
        name: next((v for v in field["offered"] if v), "")
        for name, field in form["fields"].items()
        if name != "csrfmiddlewaretoken"
    }


# Each field in turn gets what could get past its own checks and hurt further on (the rest
# of the form as offered, so that the form is otherwise valid); every field at once gets
# every value. That keeps a form to a few dozen requests.
ANY_FIELD = ("nul and surrogate",)
BY_KIND = {
    "number": ("huge", "huger", "negative", "year 1", "year 9999"),
    "choice": ("not offered", "huger"),
    "hidden": ("not offered", "huger", "long"),
}
TEXT = ("long",)
HOSTILE_PER_FIELD = {**HOSTILE, "nul and surrogate": "a\x00b\ud800c"}


def _one_of_each_shape(form, names):
    # A formset's rows share their fields, and fields offering the same choices (the 55
    # indicators) are the same kind of field: fuzz the first of each, send the rest as offered.
    seen = set()
    for name in names:
        field = form["fields"][name]
        shape = (
            ("choice", tuple(field["offered"]))
            if field["kind"] == "choice"
            else re.sub(r"\d+", "N", name)
        )
        if shape not in seen:
            seen.add(shape)
            yield name


def variants(form: dict, *, sweep: bool):
    """(label, body, content type) for one form: bounded and deterministic."""
    base = baseline(form)
    names = sorted(base)
    if not sweep:
        for label in ("nul", "surrogate", "empty"):
            yield f"every field={label}", urlencode((n, HOSTILE[label]) for n in names), None
        return
    for name in _one_of_each_shape(form, names):
        kind = form["fields"][name]["kind"]
        for label in ANY_FIELD + BY_KIND.get(kind, TEXT):
            body = urlencode({**base, name: HOSTILE_PER_FIELD[label]}.items())
            yield f"{name}={label}", body, None
    for label, value in HOSTILE.items():
        yield f"every field={label}", urlencode((n, value) for n in names), None
    yield "no fields", "", None
    for name in _one_of_each_shape(form, names):
        if form["fields"][name]["kind"] == "hidden":
            yield f"without {name}", urlencode((k, v) for k, v in base.items() if k != name), None
    repeated = [*base.items(), *((k, HOSTILE["nul"]) for k in base)]
    yield "every key twice", urlencode(repeated), None
    for name, value in form["buttons"]:
        yield f"button {name}={value}", urlencode([*base.items(), (name, value)]), None
    payload = {k: HOSTILE["surrogate"] for k in names}
    yield "as JSON", json.dumps(payload), "application/json"
    yield "as text", "a\x00\ud800".encode("utf-8", "surrogatepass"), "text/plain"
    yield "JSON that is not", b"{\x00\xff", "application/json"
    bogus = {
        n: SimpleUploadedFile("x\x00.jpg", b"\x00not an image", "image/jpeg")
        for n in [*names, *form["files"]]
    }
    yield "multipart with bogus files", bogus, "multipart"


# --- Sending ---------------------------------------------------------------------------------


def _designed(response) -> bool:
    """/health/ answers 503 by design while a part it checks is down (in the tests no sweep has
    run): its own JSON saying which, not a crash."""
    return (
        response.status_code == 503
        and response.resolver_match is not None
        and response.resolver_match.view_name == "health"
        and response.json().get("status") == "failing"
    )


class Fuzzer:
    """A signed-in client per role; each request in a savepoint rolled back, each exception or
    5xx kept as a finding that says what to fix (role, URL, field and value, where)."""

    def __init__(self, w):
        self.w = w
        self.failures: list[str] = []
        self.clients = {"anonymous": Client(raise_request_exception=True)}
        for role in ROLES:
            client = Client(raise_request_exception=True)
            # One handler for all: each new one loads the middleware, and WhiteNoise then
            # scans every static file.
            client.handler = self.clients["anonymous"].handler
            client.force_login(getattr(w, role))
            self.clients[role] = client

    def send(self, role, method, url, body=None, content_type=None, what=""):
        client = self.clients[role]
        cookies = {k: v.value for k, v in client.cookies.items()}
        cache.clear()
        try:
            with transaction.atomic():
                if method == "get":
                    response = client.get(url + (f"?{body}" if body else ""))
                elif content_type == "multipart":
                    response = client.post(url, body)
                else:
                    response = client.generic(
                        "POST",
                        url,
                        body or "",
                        content_type=content_type or "application/x-www-form-urlencoded",
                    )
                transaction.set_rollback(True)
        except Exception as error:
            last = traceback.extract_tb(error.__traceback__)[-1]
            self.failures.append(
                f"{role} {method.upper()} {url} [{what}]: {type(error).__name__}: "
                f"{str(error)[:200]} (at {last.filename}:{last.lineno})"
            )
            response = None
        finally:
            # A sign-out or a new session key in one request must not change the next.
            for key, value in cookies.items():
                client.cookies[key] = value
        if response is not None and response.status_code >= 500 and not _designed(response):
            self.failures.append(f"{role} {method.upper()} {url} [{what}]: {response.status_code}")
        return response


# The world below is built once, in a transaction of its own; each test's own (the mark)
# nests inside it, and each request's savepoint inside that.
pytestmark = pytest.mark.django_db

SEEN: set[tuple] = set()  # forms already swept field by field, for the whole module
URLS = all_url_names()


class QuickPdf:
    """WeasyPrint's layout takes a quarter of a second a page: the HTML a PDF is made from is
    still rendered with every hostile value, but laid out once (tests/referrals/
    test_documents.py tests the real documents)."""

    made: bytes = b""

    def __init__(self, *, string, **kwargs):
        self.string = string

    def render(self, **kwargs) -> "QuickPdf":
        return self  # safeguard.pdf lays a document out, then writes it

    def write_pdf(self, **kwargs) -> bytes:
        if not QuickPdf.made:
            QuickPdf.made = RealHTML(string="<p>Fuzz</p>").write_pdf()
        return QuickPdf.made


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker, tmp_path_factory):
    private = tmp_path_factory.mktemp("private")
    with (
        pytest.MonkeyPatch.context() as patch,
        # The world's evidence document, and any upload a fuzzed form gets past its checks.
        override_settings(
            STORAGES={
                **settings.STORAGES,
                "private": {
                    "BACKEND": "safeguard.storage.PrivateStorage",
                    "OPTIONS": {"location": private},
                },
            }
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        patch.setattr(pdf, "HTML", QuickPdf)
        world = build_world()
        yield world
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def _fuzzer(fuzz_world):
    return Fuzzer(fuzz_world)


@pytest.fixture
def fuzzer(_fuzzer):
    _fuzzer.failures = []
    return _fuzzer


def page_urls(name, arguments, w, role) -> list[str]:
    combos = [{}]
    for argument in arguments:
        combos = [
            {**c, argument: v} for c in combos for v in argument_values(name, argument, w, role)
        ]
    return [
        reverse(name, kwargs=kwargs) + query
        for kwargs in combos
        for query in PAGE_QUERIES.get(name, [""])
    ]


# Pages that show another form for a query: a draft's second step and its check page.
PAGE_QUERIES = {"cases:draft_edit": ["", "?step=what", "?step=check"]}


def roles_for(name: str) -> tuple[str, ...]:
    """Who the URL rule lets in: the others are refused before any view reads the input."""
    rule = access.url_rule(name)
    if rule == access.PUBLIC:
        return ("anonymous",)
    return tuple(role for role in ROLES if ROLE_OF[role] in rule)


def _fuzz_form(fuzzer, role, page, form):
    action = form["action"] or page
    target = urlsplit(action)
    if target.netloc:
        return
    path = target.path or urlsplit(page).path
    if form["method"] == "post" and (target.query or not target.path):
        query = target.query if target.path else urlsplit(page).query
        path += f"?{query}" if query else ""
    if form.get("also"):
        _fuzz_form(fuzzer, role, page, {**form, "action": form["also"], "also": ""})
    try:
        view_name = resolve(urlsplit(path).path).view_name
    except Resolver404:
        return
    method = "post" if form["method"] == "post" else "get"
    # A form is told apart by its fields and the hidden values that pick what it does (the
    # step of a referral), never by its one-time tokens.
    hidden = tuple(
        sorted(
            (n, f["offered"][0])
            for n, f in form["fields"].items()
            if f["kind"] == "hidden" and "token" not in n and f["offered"]
        )
    )
    key = (method, view_name, tuple(sorted(form["fields"])), tuple(form["files"]), hidden)
    sweep = key not in SEEN
    SEEN.add(key)
    if not sweep and (role, *key) in SEEN:
        return
    SEEN.add((role, *key))
    for what, body, content_type in variants(form, sweep=sweep):
        if method == "get" and content_type:
            continue
        fuzzer.send(role, method, path, body, content_type, what=what)


@pytest.mark.parametrize(("name", "arguments"), URLS, ids=[name for name, _ in URLS])
def test_hostile_input_never_gives_a_server_error(fuzzer, name, arguments):
    # A page nobody may open (switched off) is still sent its hostile ids.
    roles = roles_for(name) or ("frontline",)
    for role in roles:
        for url in page_urls(name, arguments, fuzzer.w, role):
            response = fuzzer.send(role, "get", url, what="page")
            if response is None:
                continue
            if response.status_code == 405:
                # A POST-only address: what it is sent blind.
                blind = {"method": "post", "action": url, "fields": {}, "files": [], "buttons": []}
                _fuzz_form(fuzzer, role, url, blind)
            elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
                for form in forms_on(response.content.decode()):
                    _fuzz_form(fuzzer, role, url, form)
    # Hostile ids, by the first role the URL lets in.
    role = roles[0]
    for argument in arguments:
        real = argument_values(name, argument, fuzzer.w, role)[0]
        url = page_urls(name, arguments, fuzzer.w, role)[0]
        for hostile in HOSTILE_IDS:
            bad = url.replace(f"/{quote(real)}", f"/{hostile}", 1)
            fuzzer.send(role, "get", bad, what=f"{argument}={hostile}")
            fuzzer.send(role, "post", bad, "", what=f"{argument}={hostile}")
    if fuzzer.failures:
        pytest.fail("\n".join(fuzzer.failures), pytrace=False)


def test_a_url_argument_without_a_value_fails_the_fuzz_test(fuzz_world):
    with pytest.raises(pytest.fail.Exception, match="No value for 'slug'"):
        argument_values("cases:new_page", "slug", fuzz_world, "lead")


def test_every_record_url_gets_real_values(fuzz_world):
    for name, arguments in URLS:
        if arguments:
            for role in set(roles_for(name)) - {"anonymous"} or {"lead"}:
                try:
                    assert page_urls(name, arguments, fuzz_world, role)
                except NoReverseMatch as error:
                    pytest.fail(f"{name}: {error}")
