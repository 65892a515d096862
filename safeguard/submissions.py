"""One record per form, however many times it is sent (a double click, two tabs, a resent POST).

A create form carries a random token. The POST that claims it, by inserting the user's
`Submission` row for it in the same transaction as the record it makes, is the one that acts;
the row keeps where it led, and any repeat is sent there. A repeat sent at the same moment is
held by the database on the row's unique key until the first commits, then sent on too. The
guard is the database's, so it holds across tabs, sessions and web processes.
"""

import re
import uuid
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect

from .models import Submission

FORM_FIELD = "submission_token"
# What new_token makes, and what a page adds to it (referrals' steps add "-<action>"). Keys
# the code makes itself (see `record`) have a colon, so a token can never be one of them.
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,100}")
REDIRECTS = (301, 302, 303)


def new_token() -> str:
    return uuid.uuid4().hex


def _claim(user, key: str) -> Submission:
    """This user's row for `key`, made if new, locked until the caller's transaction ends."""
    try:
        with transaction.atomic():
            return Submission.objects.create(user=user, key=key)
    except IntegrityError:
        # Another request made it (PostgreSQL held our insert until that one committed): a
        # done one says where it led; an undone one (its form came back with errors) is ours.
        return Submission.objects.select_for_update().get(user=user, key=key)


def submitted_once(view):
    """For a view whose POST makes or changes a record: each form's token acts once.

    A POST with a token runs in one transaction with the token's claim; the redirect it
    answers with is kept as the token's result and any repeat is sent there. Any other answer
    (the form again, with its errors) leaves the token free, so the corrected form can be sent.
    A POST without a token runs as it is.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        token = request.POST.get(FORM_FIELD, "") if request.method == "POST" else ""
        if not request.user.is_authenticated or not TOKEN.fullmatch(token):
            return view(request, *args, **kwargs)
        refused = None
        with transaction.atomic():
            claim = _claim(request.user, token)
            if claim.url:
                return redirect(claim.url)
            try:
                response = view(request, *args, **kwargs)
            except (Http404, PermissionDenied) as error:
                # Raised inside the transaction, the refusal would roll back its own audit
                # event (access.get_for_user records it): keep that, free the token, then raise.
                claim.delete()
                refused = error
            else:
                if response.status_code in REDIRECTS:
                    claim.url = response["Location"]
                    claim.save(update_fields=["url"])
        if refused is not None:
            raise refused
        return response

    return wrapped


def result(request, key: str) -> str | None:
    """Where the user's submission `key` led, if it was done."""
    return (
        Submission.objects.filter(user=request.user, key=key)
        .exclude(url="")
        .values_list("url", flat=True)
        .first()
    )


def record(request, key: str, url: str) -> None:
    """Keep where the submission `key` (one the code names, with a colon) led, in the
    transaction that made its record: the database refuses a second for the same key."""
    Submission.objects.create(user=request.user, key=key, url=url)
