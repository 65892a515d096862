"""Need-to-know on every page: a manager outside a restricted case learns only that it exists.

Every text field of the case's person, concerns, referral and case record holds a distinctive
synthetic marker. The test walks the whole URLconf: every URL that takes a record is opened
(GET and POST) with the restricted case's records as a manager who is not named on the case,
and every page that takes no argument is opened too; no response may carry a marker. A URL
argument the walk does not know fails the test, so a new record page is walked from the day it
is added.
"""

import datetime as dt
import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from cases import photos
from cases.models import (
    Addendum,
    Background,
    Case,
    ChronologyEntry,
    Concern,
    ConcernDraft,
    ConcernLink,
    ExploitationSituation,
    Exploiter,
    FirstResponder,
    Indicator,
    IndicatorObservation,
    Interview,
    Person,
    PoliceReport,
    RiskAssessment,
    RiskLevel,
    Setting,
    SupportDomain,
    SupportNeed,
    WhereNow,
)
from contacts.models import Organisation
from documents.models import DocumentJob, EvidenceDocument
from referrals.deadlines import Timer
from referrals.models import Consent, ConsentToShare, Deadline, Decision, Referral, Transition
from safeguard.choices import Pathway
from safeguard.models import Role
from subject_access.models import Bundle, RedactionItem, SubjectAccessRequest
from tests.factories import UserFactory
from tests.storage import keep_private_files_in

_markers = itertools.count(1)
MARKERS: dict[str, str] = {}  # marker -> "Model.field", to say which value leaked

# A date of birth nobody else has, in the forms a page might print it.
BIRTHDAY = dt.date(1931, 2, 27)
BIRTHDAY_FORMS = ["27 February 1931", "1931-02-27", "27/02/1931"]

# URL arguments that do not name a case record: pages reached with them hold no case data.
NOT_RECORDS = {"uidb36", "key", "figure", "app_label", "object_id", "content_type_id", "url"}


def marked(model: type[models.Model], **given):
    """Every free-text field of `model` set to a marker of its own, unless given."""
    values = dict(given)
    for field in model._meta.concrete_fields:
        if field.name in values or field.attname in values or field.primary_key:
            continue
        if not isinstance(field, models.CharField | models.TextField) or field.choices:
            continue
        if field.name in {"reference", "normalised"}:
            continue
        marker = f"Zqv{next(_markers):03d}x"
        MARKERS[marker] = f"{model.__name__}.{field.name}"
        values[field.name] = marker[: field.max_length] if field.max_length else marker
    return model.objects.create(**values)


@pytest.fixture
def private_files(settings, tmp_path):
    keep_private_files_in(settings, tmp_path / "private")


@pytest.fixture
def hidden(world, reference_data, private_files):
    """A restricted case of the manager's own team, led by someone else, with every record."""
    lead = UserFactory(full_name="Rhea Restricted", role=Role.LEAD, teams=[world.north])
    now = timezone.now()
    person = marked(
        Person,
        reference="PN-W-000001",
        created_by=lead,
        date_of_birth=BIRTHDAY,
    )
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(image, "JPEG")
    photos.save_photo(person, SimpleUploadedFile("p.jpg", image.getvalue(), "image/jpeg"))
    case = marked(
        Case,
        reference="SG-W-000001",
        person=person,
        team=world.north,
        lead=lead,
        restricted=True,
        risk_level=RiskLevel.HIGH,
    )
    concern = marked(
        Concern,
        reference="CN-W-000001",
        person=person,
        reporter=lead,
        team=world.north,
        observed_at=now - dt.timedelta(days=3),
        setting=Setting.HOTEL,
        case=case,
        status="case",
    )
    marked(Addendum, concern=concern, author=lead)
    marked(ConcernLink, concern=concern, kind="vehicle", normalised="ZQVPLATE")
    marked(
        IndicatorObservation,
        concern=concern,
        indicator=Indicator.objects.first(),
        answer="observed",
    )
    marked(ChronologyEntry, case=case, kind="note", author=lead)
    situation = marked(
        ExploitationSituation, case=case, started_on=dt.date(1999, 4, 6), kinds=["forced_work"]
    )
    marked(Exploiter, case=case)
    marked(PoliceReport, case=case, reported="yes")
    marked(WhereNow, case=case)
    marked(Background, case=case, children=7)
    marked(FirstResponder, case=case)
    marked(Interview, case=case)
    need = marked(SupportNeed, case=case, domain=SupportDomain.SAFETY)
    marked(
        RiskAssessment,
        case=case,
        assessed_by=lead,
        level=RiskLevel.HIGH,
        review_on=now.date() + dt.timedelta(days=30),
    )
    recipient = Organisation.objects.first()
    referral = marked(
        Referral,
        reference="RF-W-000001",
        case=case,
        pathway=Pathway.NRM,
        status="submitted",
        recipient=recipient,
        created_by=lead,
        submitted_at=now - dt.timedelta(days=2),
    )
    marked(
        Consent,
        referral=referral,
        given=True,
        given_on=now.date() - dt.timedelta(days=2),
        recorded_by=lead,
    )
    marked(
        Decision,
        referral=referral,
        kind="rg",
        outcome="positive",
        received_on=now.date() - dt.timedelta(days=1),
        recorded_by=lead,
    )
    marked(Transition, referral=referral, from_status="draft", to_status="submitted", by=lead)
    deadline = marked(
        Deadline,
        timer=Timer.RECOVERY_PERIOD,
        case=case,
        referral=referral,
        starts_at=now - dt.timedelta(days=40),
        due_at=now - dt.timedelta(days=1),
        next_reminder_at=None,
        # A case's deadline: the owner reference is for a deadline of its own record (a
        # subject access request's clock), which needs a team and an assignee.
        owner_reference="",
    )
    agreement = marked(
        ConsentToShare,
        case=case,
        what="record",
        organisation=recipient,
        organisation_name="",
        agreed_on=now.date() - dt.timedelta(days=3),
        recorded_by=lead,
    )
    job = DocumentJob.objects.create(kind="chronology", case=case, requested_by=lead)
    evidence = marked(
        EvidenceDocument,
        case=case,
        kind="police_statement",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        file="evidence/walk.pdf",
        uploaded_by=lead,
    )
    sar = marked(
        SubjectAccessRequest,
        reference="SAR-W-000001",
        person=person,
        team=world.north,
        handler=lead,
        requester="representative",
        received_on=now.date() - dt.timedelta(days=2),
        created_by=lead,
    )
    item = marked(RedactionItem, request=sar, kind="exploiter", decision="", reason="")
    bundle = marked(Bundle, request=sar, requested_by=lead)
    draft_data = {"name": "Zqv900x", "observer_account": "Zqv901x"}
    MARKERS.update({"Zqv900x": "ConcernDraft.data", "Zqv901x": "ConcernDraft.data"})
    draft = ConcernDraft.objects.create(author=lead, data=draft_data)
    return {
        "concerns/": concern.reference,
        "cases/": case.reference,
        "people/": person.reference,
        "referrals/": referral.reference,
        "subject-access/": sar.reference,
        "item": item.pk,
        "bundle": bundle.pk,
        "draft": draft.pk,
        "support_need": need.pk,
        "situation": situation.pk,
        "deadline": deadline.pk,
        "job_id": job.pk,
        "evidence_id": evidence.pk,
        "organisation": recipient.pk,
        "sharing": agreement.pk,
        "person_name": person.name,
    }


def _patterns():
    """(view name, route, argument names) for every named URL."""

    def walk(patterns, namespace="", prefix="", outer=()):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            arguments = (*outer, *pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner, route, arguments)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}", route, arguments

    return sorted(set(walk(get_resolver().url_patterns)))


def _record_kwargs(name: str, route: str, arguments, hidden) -> dict | None:
    """The restricted case's records for a URL's arguments; None for a URL not about one."""
    if name.startswith("admin:") or set(arguments) & NOT_RECORDS:
        return None
    if name.startswith("mfa_"):  # one's own security keys, never case data
        return None
    kwargs = {}
    for argument in arguments:
        if argument == "reference":
            prefix = next(
                (
                    p
                    for p in ("concerns/", "cases/", "people/", "referrals/", "subject-access/")
                    if route.startswith(p)
                ),
                None,
            )
            assert prefix, f"{name}: a reference to which record? teach this walk ({route})"
            kwargs[argument] = hidden[prefix]
        elif argument in {"draft", "item", "bundle"}:
            kwargs[argument] = hidden[argument]
        elif argument == "job_id":
            kwargs[argument] = hidden["job_id"]
        elif argument == "evidence_id":
            kwargs[argument] = hidden["evidence_id"]
        elif argument == "part" and "/record/" in route:
            kwargs[argument] = "situation"
        elif argument == "pk" and "/record/" in route:
            kwargs[argument] = hidden["situation"]
        elif argument == "pk" and "/sharing/" in route:
            kwargs[argument] = hidden["sharing"]
        elif argument == "pk" and route.startswith("deadlines/"):
            kwargs[argument] = hidden["deadline"]
        elif argument in {"pk", "organisation_pk"} and route.startswith("contacts/"):
            kwargs[argument] = hidden["organisation"]
        else:
            pytest.fail(f"{name}: the walk does not know the argument {argument!r} ({route})")
    return kwargs


def _leaks(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", errors="replace") + " ".join(
        f"{header}: {value}" for header, value in response.items()
    )
    found = [f"{MARKERS[m]} ({m})" for m in MARKERS if m in text]
    found += [f"date of birth ({form})" for form in BIRTHDAY_FORMS if form in text]
    return found


def test_a_manager_outside_a_restricted_case_reads_nothing_of_it_anywhere(client, world, hidden):
    problems, answered = [], {}
    for name, route, arguments in _patterns():
        if name.startswith("admin:") or name == "account_logout":
            continue
        kwargs = _record_kwargs(name, route, arguments, hidden) if arguments else {}
        if kwargs is None:
            continue
        address = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            # Some account pages end the session when posted to: start each request signed in.
            client.force_login(world.manager)
            response = getattr(client, method)(address, {})
            said = f"{method.upper()} {name} answered {response.status_code}"
            answered[(name, method)] = response.status_code
            problems += [f"{said}: {leak}" for leak in _leaks(response)]
            overview = name == "cases:case_detail" and method == "get"
            about_the_case = arguments and not route.startswith("contacts/")
            # /health/'s 503 is an answer (here: no sweep has run), not a crash.
            designed = name == "health" and response.status_code == 503
            if (response.status_code >= 500 and not designed) or (
                about_the_case and not overview and response.status_code not in (404, 405)
            ):
                problems.append(said)

    assert not problems, "\n".join(problems)
    # The walk really went through the record pages, and the overview said who to ask.
    assert answered[("cases:case_detail", "get")] == 200
    assert answered[("referrals:detail", "get")] == 404
    assert answered[("cases:concern_detail", "get")] == 404
    assert answered[("referrals:case_referrals", "get")] == 404
    assert answered[("referrals:case_sharing", "get")] == 404
    assert answered[("referrals:sharing_withdraw", "get")] == 404
    assert answered[("cases:person_photo", "get")] == 404
    assert answered[("documents:evidence_download", "get")] == 404


def test_searching_for_a_restricted_persons_name_finds_nothing_for_a_manager_outside_it(
    client, world, hidden
):
    client.force_login(world.manager)
    typed = hidden["person_name"]

    for method in ("get", "post"):
        response = getattr(client, method)(reverse("cases:search"), {"q": typed})
        assert response.status_code in (200, 405)
        # The search box may keep what was typed; nothing else of the record may appear.
        leaks = [leak for leak in _leaks(response) if typed not in leak]
        assert not leaks
        assert hidden["people/"] not in response.text
        assert hidden["cases/"] not in response.text
