import datetime as dt
import io

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone
from pypdf import PdfWriter

from cases.models import Case, CaseStatus
from contacts.models import Organisation
from documents import evidence
from documents import services as document_services
from documents.models import EvidenceKind
from referrals import consent as sharing
from referrals import services
from referrals.models import Deadline, Referral, SharingWhat
from safeguard.choices import Pathway

# (pathway, actions in order, days ago the story started) — synthetic, for the local demo.
STORIES = [
    (Pathway.NRM, [], 1),
    (Pathway.NRM, ["submit"], 9),  # RG decision now overdue
    (Pathway.NRM, ["submit"], 2),
    (Pathway.NRM, ["submit", "rg_positive"], 20),
    (Pathway.NRM, ["submit", "rg_negative"], 15),
    (Pathway.NRM, ["submit", "rg_negative", "request_reconsideration"], 25),
    (Pathway.NRM, ["submit", "rg_positive", "cg_positive"], 80),
    (Pathway.NRM, ["withdraw"], 5),
    (Pathway.CHILDRENS_SERVICES, ["submit", "close"], 12),
    (Pathway.DUTY_TO_NOTIFY, ["submit"], 3),
    (Pathway.POLICE, ["submit"], 4),
]


class Command(BaseCommand):
    help = "Add synthetic referrals in every state, some overdue (DEBUG only)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo_referrals runs only with DEBUG on.")
        if Referral.objects.exists():
            self.stdout.write("Demo referrals already exist.")
            return
        lead = get_user_model().objects.get(email="lead@safeguard.test")
        request = RequestFactory().post("/seed-demo/")
        request.user, request.request_id = lead, ""
        cases = list(
            Case.objects.filter(status=CaseStatus.OPEN, restricted=False).select_related("person")
        )
        recipient = (
            Organisation.objects.filter(tags__code="competent_authority").first()
            or Organisation.objects.first()
        )
        made = 0
        shared = False
        for n, (pathway, actions, days_ago) in enumerate(STORIES):
            case = cases[n % len(cases)]
            child = case.person.may_be_child()
            if pathway == Pathway.DUTY_TO_NOTIFY and child:
                continue
            referral = services.referral_create(
                request=request,
                case=case,
                pathway=pathway,
                recipient=recipient,
                competent_authority="sca" if pathway == Pathway.NRM else "",
                summary="Synthetic referral for the demo.",
            )
            if pathway == Pathway.NRM and not child:
                services.consent_record(
                    request=request,
                    referral=referral,
                    given=True,
                    given_on=timezone.localdate(),
                    how_explained="Synthetic: explained in their language with an interpreter.",
                    explained=dict.fromkeys(services.EXPLAINED, True),
                    explained_in="Romanian",
                    interpreter_used=True,
                    interpreter_language="Romanian",
                    interpreter="A telephone interpreting agency (synthetic)",
                    witnessed_by="A colleague (synthetic)",
                )
                if not shared:
                    _share_with_evidence(request, case, recipient)
                    shared = True
            if pathway == Pathway.NRM and child:
                cs = services.referral_create(
                    request=request,
                    case=case,
                    pathway=Pathway.CHILDRENS_SERVICES,
                    recipient=recipient,
                )
                services.referral_transition(
                    request=request, referral=cs, action="submit", confirm_missing=True
                )
            for action in actions:
                services.referral_transition(
                    request=request,
                    referral=referral,
                    action=action,
                    decided_on=timezone.localdate()
                    if "_" in action and action not in ("request_reconsideration",)
                    else None,
                    reason="Synthetic"
                    if action in ("withdraw", "request_reconsideration", "close")
                    else "",
                    # Demo cases hold a sketch of a record: recorded with answers missing.
                    confirm_missing=action == "submit",
                )
            _backdate(referral, days_ago)
            made += 1
        self.stdout.write(f"Demo referrals: {made}.")


def _share_with_evidence(request, case: Case, recipient: Organisation) -> None:
    """One case with a full sharing register and an evidence document: every section of the
    referral filled (issue 17). The document is a one-page synthetic PDF."""
    for what in (SharingWhat.RECORD, SharingWhat.EVIDENCE):
        sharing.consent_to_share_add(
            request=request,
            case=case,
            what=what,
            organisation=recipient,
            agreed_on=timezone.localdate(),
            note="Synthetic agreement for the demo.",
        )
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    upload = SimpleUploadedFile("synthetic-risk-assessment.pdf", buffer.getvalue())
    document_services.evidence_add(
        request=request,
        case=case,
        kind=EvidenceKind.LA_RISK_ASSESSMENT,
        description="Synthetic local authority risk assessment for the demo.",
        checked=evidence.check_evidence(upload),
        original_name=upload.name,
    )


def _backdate(referral: Referral, days: int) -> None:
    """Move a demo story into the past, so that some of its deadlines are overdue today."""
    shift = dt.timedelta(days=days)
    Referral.objects.filter(pk=referral.pk).update(
        created_at=referral.created_at - shift,
        submitted_at=referral.submitted_at - shift if referral.submitted_at else None,
    )
    for deadline in Deadline.objects.filter(referral=referral):
        Deadline.objects.filter(pk=deadline.pk).update(
            starts_at=deadline.starts_at - shift, due_at=deadline.due_at - shift
        )
