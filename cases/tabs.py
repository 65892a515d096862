"""The tabs of a case and what every tab's page shows about the case.

Public, so that the apps above (referrals, documents) put their case tabs in the same frame.
"""

from django.urls import reverse

from safeguard import access
from safeguard.access import Action

SECTIONS = (
    ("cases:case_detail", "Overview"),
    ("cases:case_chronology", "Chronology"),
    ("cases:case_record", "Case record"),
    # By URL name only: cases imports neither referrals nor documents.
    ("referrals:case_referrals", "Referrals"),
    ("referrals:case_sharing", "Sharing"),
    ("cases:case_support", "Support plan"),
    ("cases:case_risk", "Risk"),
    ("cases:case_members", "Members"),
    ("documents:case_documents", "Documents"),
)


def case_page(request, granted: access.Granted, current: str, **extra) -> dict:
    """What every section of a case shows: its heading, tabs and the actions allowed."""
    case = granted.obj
    user = request.user
    items = [
        {
            "text": text,
            "href": reverse(name, kwargs={"reference": case.reference}),
            "active": name in (current, f"cases:{current}"),
        }
        for name, text in SECTIONS
        if access.may_open(user, name)
    ]
    # What the page offers is what the policy grants: a closed case grants no change.
    return {
        "case": case,
        "sections": items,
        "can_edit": granted.can(Action.EDIT),
        "can_note": granted.can(Action.EDIT) or granted.can(Action.ADD_NOTE),
        "can_change_members": granted.can(Action.MANAGE_MEMBERS),
        "can_close": granted.can(Action.EDIT),
        "can_reopen": case.is_closed and granted.can(Action.REOPEN),
        **extra,
    }
