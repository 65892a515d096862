"""The state machine of each pathway: one table per pathway, read by the services and tests.

A table maps a status to the actions allowed from it and where each leads. Anything not in
the table is refused, with a message saying why (`why_not`).
"""

from dataclasses import dataclass

from safeguard.choices import Pathway


@dataclass(frozen=True)
class Step:
    to: str
    label: str  # what the button says


DRAFT, SUBMITTED, WITHDRAWN = "draft", "submitted", "withdrawn"
RG_POSITIVE, RG_NEGATIVE = "rg_positive", "rg_negative"
CG_POSITIVE, CG_NEGATIVE = "cg_positive", "cg_negative"
RECONSIDERATION = "reconsideration_requested"
CLOSED = "closed"

STATUS_LABELS = {
    DRAFT: "Draft",
    SUBMITTED: "Submitted",
    WITHDRAWN: "Withdrawn",
    RG_POSITIVE: "Positive Reasonable Grounds",
    RG_NEGATIVE: "Negative Reasonable Grounds",
    CG_POSITIVE: "Positive Conclusive Grounds",
    CG_NEGATIVE: "Negative Conclusive Grounds",
    RECONSIDERATION: "Reconsideration requested",
    CLOSED: "Closed",
}

WITHDRAW = Step(WITHDRAWN, "Withdraw the referral")

NRM = {
    DRAFT: {"submit": Step(SUBMITTED, "Record as submitted"), "withdraw": WITHDRAW},
    SUBMITTED: {
        "rg_positive": Step(RG_POSITIVE, "Record a positive Reasonable Grounds decision"),
        "rg_negative": Step(RG_NEGATIVE, "Record a negative Reasonable Grounds decision"),
        "withdraw": WITHDRAW,
    },
    RG_POSITIVE: {
        "cg_positive": Step(CG_POSITIVE, "Record a positive Conclusive Grounds decision"),
        "cg_negative": Step(CG_NEGATIVE, "Record a negative Conclusive Grounds decision"),
        "withdraw": WITHDRAW,
    },
    RG_NEGATIVE: {
        "request_reconsideration": Step(RECONSIDERATION, "Record a reconsideration request"),
    },
    CG_NEGATIVE: {
        "request_reconsideration": Step(RECONSIDERATION, "Record a reconsideration request"),
    },
    RECONSIDERATION: {
        "rg_positive": Step(RG_POSITIVE, "Record a positive decision on reconsideration"),
        "cg_positive": Step(CG_POSITIVE, "Record a positive CG decision on reconsideration"),
        "reconsideration_upheld": Step(CLOSED, "Record that the negative decision stands"),
    },
    CG_POSITIVE: {},
    WITHDRAWN: {},
    CLOSED: {},
}

# Duty to Notify, Children's Services, police, support services, other agencies: sent, then
# closed when the receiving agency's answer is recorded.
SIMPLE = {
    DRAFT: {"submit": Step(SUBMITTED, "Record as sent"), "withdraw": WITHDRAW},
    SUBMITTED: {"close": Step(CLOSED, "Record their answer and close"), "withdraw": WITHDRAW},
    CLOSED: {},
    WITHDRAWN: {},
}

MACHINES: dict[str, dict[str, dict[str, Step]]] = {
    Pathway.NRM: NRM,
    Pathway.DUTY_TO_NOTIFY: SIMPLE,
    Pathway.CHILDRENS_SERVICES: SIMPLE,
    Pathway.POLICE: SIMPLE,
    Pathway.SUPPORT_SERVICE: SIMPLE,
    Pathway.OTHER: SIMPLE,
}

FINAL = {CG_POSITIVE, WITHDRAWN, CLOSED}


def allowed(pathway: str, status: str) -> dict[str, Step]:
    return MACHINES[pathway].get(status, {})


def why_not(pathway: str, status: str, action: str) -> str | None:
    """None if `action` is allowed from `status`; otherwise the reason, in plain words."""
    if action in allowed(pathway, status):
        return None
    label = STATUS_LABELS.get(status, status).lower()
    if status in FINAL:
        return f"This referral is {label}: nothing more can be recorded on it."
    possible = ", ".join(step.label.lower() for step in allowed(pathway, status).values())
    return f"That cannot be done while the referral is {label}. You can: {possible}."
