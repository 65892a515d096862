"""The documents tab of a case, and the PDFs it makes: referral packs, the missing-person
sheet and the chronology; and the case's evidence documents, uploaded and downloaded.

Every document is an export: the record is fetched through `get_for_user` with EXPORT (404
for anyone the policy refuses), and the audit event is written once the PDF exists, naming
the document and whether it was password protected. The forms are POSTs, so that a password
or a "last seen" description never travels in an address. An evidence document is uploaded
with EDIT on its case (so not to a closed one) and read with EXPORT, each read audited.
"""

import shutil
import tempfile
import zipfile

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from cases.models import Case
from cases.tabs import case_page
from referrals import consent as sharing
from referrals.models import Referral, SharingWhat
from referrals.views.referrals import detail_context as referral_detail_context
from safeguard import audit, pdf
from safeguard.access import Action, get_for_user
from safeguard.forms import DocumentPasswordForm, error_list
from safeguard.submissions import submitted_once

from . import anonymous, keeping, pdfs, services
from .forms import ChronologyRangeForm, EvidenceForm, MissingPersonForm
from .models import DocumentJob


def _case(request, reference: str, *, audit_read: bool = True, action: Action = Action.EXPORT):
    return get_for_user(
        request,
        Case.objects.select_related("person", "lead", "team"),
        action=action,
        audit_read=audit_read,
        reference=reference,
    )


def _deliver(request, *, content: bytes, password: str, obj, what: str, filename: str):
    """Protect the PDF if a password was typed, record the export, send it."""
    if password:
        content = pdf.protect(content, password)
    audit.record(
        request,
        action=audit.Action.EXPORT,
        obj=obj,
        detail=f"{what} (PDF{', password protected' if password else ''})",
    )
    return pdf.download(content, filename)


def _documents_page(request, granted, *, status=200, **forms):
    case = granted.obj
    forms = {
        "missing_form": MissingPersonForm(prefix="missing"),
        "chronology_form": ChronologyRangeForm(prefix="chronology"),
        "evidence_form": EvidenceForm(),
        **forms,
    }
    bound = [form for form in forms.values() if form.is_bound]
    return render(
        request,
        "documents/case_documents.html",
        case_page(
            request,
            granted,
            "documents:case_documents",
            referrals=case.referrals.order_by("-created_at"),
            jobs=DocumentJob.objects.filter(case=case, requested_by=request.user).exclude(
                status=DocumentJob.Status.EXPIRED
            )[:5],
            errors=error_list(*bound) if bound else [],
            inline_max=settings.CHRONOLOGY_INLINE_MAX_ENTRIES,
            evidence=case.evidence_documents.select_related("uploaded_by"),
            **forms,
        ),
        status=status,
    )


@require_GET
def case_documents(request, reference: str):
    return _documents_page(request, _case(request, reference))


@sensitive_post_parameters("pack-password")
@require_POST
def referral_pack(request, reference: str):
    granted = get_for_user(
        request,
        Referral.objects.select_related(
            "case", "case__person", "case__lead", "case__team", "recipient"
        ),
        action=Action.EXPORT,
        audit_read=False,
        reference=reference,
    )
    referral = granted.obj
    form = DocumentPasswordForm(request.POST, prefix="pack")
    if not form.is_valid():
        return render(
            request,
            "referrals/detail.html",
            referral_detail_context(request, granted, pack_form=form, errors=error_list(form)),
            status=400,
        )
    what = "Referral pack"
    if referral.is_anonymous:
        what = "Referral pack, anonymous Duty to Notify"
    return _deliver(
        request,
        content=pdfs.referral_pack_pdf(referral, generated_by=request.user),
        password=form.cleaned_data["password"],
        obj=referral,
        what=what,
        filename=f"referral-pack-{referral.reference}.pdf",
    )


@never_cache
@require_GET
def pack_preview(request, reference: str):
    """What an anonymous Duty to Notify will carry, with where its free text may identify the
    person. Who may make the pack may read it; the read is recorded by the referral's
    reference alone (what was found is shown, never recorded)."""
    granted = get_for_user(
        request,
        Referral.objects.select_related("case", "case__person", "recipient"),
        action=Action.EXPORT,
        audit_read=False,
        reference=reference,
    )
    referral = granted.obj
    if not referral.is_anonymous:
        raise Http404
    notice = anonymous.notice(referral)
    audit.record(
        request,
        action=audit.Action.VIEW,
        obj=referral,
        detail=f"Anonymous Duty to Notify preview ({len(notice.warnings)} to check)",
    )
    sections: dict[str, list] = {}
    for entry in notice.entries:
        sections.setdefault(entry.section, []).append(entry)
    return render(
        request,
        "documents/pack_preview.html",
        {
            "referral": referral,
            "case": referral.case,
            "warnings": notice.warnings,
            "sections": sections.items(),
        },
    )


@sensitive_post_parameters("missing-password", "missing-description", "missing-last_seen_where")
@require_POST
def missing_person(request, reference: str):
    granted = _case(request, reference, audit_read=False)
    form = MissingPersonForm(request.POST, prefix="missing")
    if not form.is_valid():
        return _documents_page(request, granted, status=400, missing_form=form)
    data = form.cleaned_data
    last_seen = pdfs.LastSeen(
        at=form.last_seen_at(), where=data["last_seen_where"], description=data["description"]
    )
    case = granted.obj
    return _deliver(
        request,
        content=pdfs.missing_person_pdf(case, last_seen, generated_by=request.user),
        password=data["password"],
        obj=case,
        what="Missing person sheet",
        filename=f"missing-person-{case.reference}.pdf",
    )


@sensitive_post_parameters("chronology-password")
@require_POST
def chronology(request, reference: str):
    granted = _case(request, reference, audit_read=False)
    case = granted.obj
    form = ChronologyRangeForm(request.POST, prefix="chronology")
    if not form.is_valid():
        return _documents_page(request, granted, status=400, chronology_form=form)
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    password = form.cleaned_data["password"]
    entries = pdfs.chronology_entries(case, date_from, date_to).count()
    if entries <= settings.CHRONOLOGY_INLINE_MAX_ENTRIES:
        return _deliver(
            request,
            content=pdfs.chronology_pdf(case, date_from, date_to, generated_by=request.user),
            password=password,
            obj=case,
            what="Chronology",
            filename=f"chronology-{case.reference}.pdf",
        )
    # Long: a worker prepares it. The password is not kept; it is asked for at download.
    job = services.document_job_create(
        request=request,
        case=case,
        date_from=date_from,
        date_to=date_to,
        password_wanted=bool(password),
        entries=entries,
    )
    return redirect("documents:document_job", job_id=job.pk)


def _job(request, job_id):
    """The job, if this user asked for it and may still export its case."""
    job = (
        DocumentJob.objects.select_related("case")
        .filter(pk=job_id, requested_by=request.user)
        .first()
    )
    if job is None:
        raise Http404
    granted = _case(request, job.case.reference, audit_read=False)
    return job, granted


@never_cache
@require_GET
def document_job(request, job_id):
    job, granted = _job(request, job_id)
    if "application/json" in request.headers.get("Accept", ""):
        # For static/js/document-job.mjs: whether the page has something new to show.
        return JsonResponse({"state": job.status})
    return render(
        request,
        "documents/document_job.html",
        {
            **case_page(request, granted, "documents:case_documents"),
            "job": job,
            "form": DocumentPasswordForm(),
            "waiting": job.status in (DocumentJob.Status.QUEUED, DocumentJob.Status.RENDERING),
            "keep_hours": keeping.keep_hours(),
        },
    )


@sensitive_post_parameters("password")
@require_POST
def document_job_download(request, job_id):
    job, granted = _job(request, job_id)
    if job.status != DocumentJob.Status.READY:
        return redirect("documents:document_job", job_id=job.pk)
    form = DocumentPasswordForm(request.POST)
    if form.is_valid() and job.password_wanted and not form.cleaned_data["password"]:
        form.add_error(
            "password",
            "Type the password to protect it: you asked for one, and it was not kept while "
            "the document was prepared",
        )
    if not form.is_valid():
        return render(
            request,
            "documents/document_job.html",
            {
                **case_page(request, granted, "documents:case_documents"),
                "job": job,
                "form": form,
                "errors": error_list(form),
                "waiting": False,
                "keep_hours": keeping.keep_hours(),
            },
            status=400,
        )
    with job.file.open("rb") as handle:
        content = handle.read()
    return _deliver(
        request,
        content=content,
        password=form.cleaned_data["password"],
        obj=job.case,
        what="Chronology, prepared in the background",
        filename=f"chronology-{job.case.reference}.pdf",
    )


# --- Evidence documents --------------------------------------------------------------------


@require_POST
@submitted_once
def evidence_add(request, reference: str):
    granted = _case(request, reference, action=Action.EDIT)
    case = granted.obj
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _documents_page(request, granted, status=400, evidence_form=form)
    document = services.evidence_add(
        request=request,
        case=case,
        kind=form.cleaned_data["kind"],
        description=form.cleaned_data["description"],
        checked=form.checked,
        original_name=form.cleaned_data["file"].name,
    )
    message = f"{document.get_kind_display()} added to the case's evidence."
    if document.password_protected:
        message += " The PDF is password protected: whoever opens it will need its password."
    messages.success(request, message)
    return redirect(reverse("documents:case_documents", args=[case.reference]) + "#evidence")


def _attachment(handle, *, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Were it ever opened in the browser, it could run nothing and reach nothing.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def evidence_download(request, reference: str, evidence_id):
    granted = _case(request, reference, audit_read=False)
    document = get_object_or_404(
        granted.obj.evidence_documents.select_related("case"), pk=evidence_id
    )
    handle = document.file.storage.open(document.file.name, "rb")
    audit.record(
        request,
        action=audit.Action.EXPORT,
        obj=document,
        detail=f"Evidence document ({document.get_kind_display()})",
    )
    return _attachment(handle, filename=document.download_name, content_type=document.content_type)


def _zip_of(pack: bytes, pack_name: str, documents) -> tempfile.SpooledTemporaryFile:
    """The pack and every evidence document in one zip, on disk past a few megabytes: twenty
    documents of 25 MB are never held in memory. Already compressed formats are stored."""
    # Handed to the response, which closes it once sent.
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(spooled, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(pack_name, pack)
        listing = ["Evidence documents, in the order they were added", ""]
        for number, document in enumerate(documents, start=1):
            name = f"evidence/{number:02d}-{document.download_name}"
            with (
                document.file.storage.open(document.file.name, "rb") as source,
                archive.open(name, "w", force_zip64=True) as target,
            ):
                shutil.copyfileobj(source, target, 1024 * 1024)
            listing += [
                name,
                f"  {document.get_kind_display()}, added {document.uploaded_at:%d %B %Y}",
                f"  {document.description}",
                f"  SHA-256 {document.sha256}",
                "",
            ]
        if len(listing) > 2:
            archive.writestr("evidence/contents.txt", "\n".join(listing))
    spooled.seek(0)
    return spooled


def _evidence_refused(referral: Referral) -> str:
    """Why this referral's evidence may not go with its pack ('' if it may): never with an
    anonymous notice, and for an adult only to an organisation they agreed may have it (the
    case's sharing register, referrals.consent)."""
    if referral.is_anonymous:
        return (
            "An anonymous Duty to Notify is sent without evidence documents, because they "
            "would identify the person: download the pack on its own"
        )
    if not sharing.needs_agreement(referral.case, pathway=referral.pathway):
        return ""
    if referral.recipient is None:
        return (
            "Choose who the referral goes to before sending evidence documents with it: "
            "they go only where the person agreed"
        )
    if not sharing.may_share(referral.case, referral.recipient, SharingWhat.EVIDENCE):
        return (
            f"The person has not agreed to share evidence documents with "
            f"{referral.recipient.name}: record their agreement on the case's Sharing tab, or "
            "download the pack on its own"
        )
    return ""


@sensitive_post_parameters("pack-password")
@require_POST
def referral_pack_with_evidence(request, reference: str):
    granted = get_for_user(
        request,
        Referral.objects.select_related(
            "case", "case__person", "case__lead", "case__team", "recipient"
        ),
        action=Action.EXPORT,
        audit_read=False,
        reference=reference,
    )
    referral = granted.obj
    form = DocumentPasswordForm(request.POST, prefix="pack")
    if form.is_valid():
        refused = _evidence_refused(referral)
        if refused:
            form.add_error(None, refused)
    if not form.is_valid():
        return render(
            request,
            "referrals/detail.html",
            referral_detail_context(request, granted, pack_form=form, errors=error_list(form)),
            status=400,
        )
    password = form.cleaned_data["password"]
    content = pdfs.referral_pack_pdf(referral, generated_by=request.user)
    if password:
        content = pdf.protect(content, password)
    documents = list(referral.case.evidence_documents.select_related("case"))
    archive = _zip_of(content, f"referral-pack-{referral.reference}.pdf", documents)
    count = len(documents)
    audit.record(
        request,
        action=audit.Action.EXPORT,
        obj=referral,
        detail=f"Referral pack (PDF{', password protected' if password else ''}) with "
        f"{count} evidence document{'' if count == 1 else 's'} (ZIP)",
    )
    return _attachment(
        archive,
        filename=f"referral-pack-{referral.reference}-with-evidence.zip",
        content_type="application/zip",
    )
