"""The state machine of each pathway: one table per pathway, read by the services and tests.

A table maps a status to the actions allowed from it and where each leads. Anything not in
the table is refused, with a message saying why (`why_not`).
"""

from dataclasses import dataclass

from safeguard.choices import Nation, Pathway

from .deadlines import Timer


# What a step does to the clocks: timers it satisfies on the referral itself, and whether it
# stops the case's referral clock (the 48-hour target: only the NRM and the Duty to Notify
# count as "referred").
@dataclass(frozen=True)
class Starts:
    timer: Timer
    nations: frozenset[str] = frozenset()  # only where the organisation is, if any named


@dataclass(frozen=True)
class Step:
    """One step of a pathway, declared: the services read it, the templates show from it."""

    to: str
    label: str  # what the button says
    service: str  # the one service in referrals.services that records it
    asks: tuple[str, ...] = ("reason",)  # the form's fields, in order
    needs: tuple[str, ...] = ()  # the fields that must be filled in
    decision: tuple[str, str] | None = None  # (Decision.Kind, Decision.Outcome) recorded
    starts: tuple[Starts, ...] = ()  # timers started, counted from the decision day
    satisfies: tuple[Timer, ...] = ()  # this referral's open timers it meets
    satisfies_on_case: tuple[Timer, ...] = ()  # the case's open timers it meets (the guardian's)
    # Periods whose ending event this step is (the CG decision): each ends or runs on to its
    # day as its end condition says (referrals.deadlines.event_ends_period).
    ends_periods: tuple[Timer, ...] = ()
    satisfied_because: str = ""
    stops_refer_clock: bool = False
    cancels_timers: bool = False  # withdrawing: nothing of this referral is chased any more
    warning: bool = False  # the button is a warning (it cannot be undone)
    # Nations in which this step ends the referral's open support periods (recovery, move-on)
    # there and then: ended, never overdue, no more reminders (referrals.deadlines.Kind.PERIOD).
    ends_support_in: frozenset[str] = frozenset()
    cancels: tuple[Timer, ...] = ()  # this referral's open timers no longer needed
    # The decision it records is a further or revised decision: it supersedes the latest
    # earlier decision of the same kind (Decision.revises).
    revises: bool = False
    # The person must be an adult: a child does not withdraw from the NRM.
    adults_only: bool = False
    extends: Timer | None = None  # the open timer whose last day this step moves on


DRAFT, SUBMITTED, WITHDRAWN = "draft", "submitted", "withdrawn"
RG_POSITIVE, RG_NEGATIVE = "rg_positive", "rg_negative"
CG_POSITIVE, CG_NEGATIVE = "cg_positive", "cg_negative"
RECONSIDERATION = "reconsideration_requested"
CLOSED = "closed"
DISQUALIFIED = "disqualified"  # public order disqualification (NABA 2022 s.63)
DISQUALIFIED_DECIDED = "disqualified_cg"  # ... and the CG decision has come since
PERSON_WITHDREW = "person_withdrew"  # the person withdrew from the NRM

EVERYWHERE = frozenset({Nation.ENGLAND_AND_WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND})

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
    DISQUALIFIED: "Disqualified from protection (public order)",
    DISQUALIFIED_DECIDED: "Disqualified from protection; Conclusive Grounds decision received",
    PERSON_WITHDREW: "The person withdrew from the NRM",
}

DECISION_ASKS = ("decided_on", "reason")
WITHDRAW = Step(
    WITHDRAWN,
    "Withdraw the referral",
    service="referral_withdraw",
    needs=("reason",),
    cancels_timers=True,
    warning=True,
)


def _submit(
    label: str,
    *,
    stops_refer_clock: bool,
    starts: tuple[Starts, ...] = (),
    satisfies_on_case: tuple[Timer, ...] = (),
) -> Step:
    return Step(
        SUBMITTED,
        label,
        service="referral_submit",
        asks=("external_reference", "reason"),
        starts=starts,
        stops_refer_clock=stops_refer_clock,
        satisfies_on_case=satisfies_on_case,
        satisfied_because="guardian referral sent" if satisfies_on_case else "",
    )


RG_POSITIVE_STEP = dict(
    service="referral_decision_record",
    asks=DECISION_ASKS,
    needs=("decided_on",),
    decision=("rg", "positive"),
    starts=(Starts(Timer.RECOVERY_PERIOD), Starts(Timer.CG_NOT_BEFORE)),
    satisfies=(Timer.RG_DECISION, Timer.RECONSIDERATION),
    satisfied_because="Reasonable Grounds decision received",
)
CG_POSITIVE_STEP = dict(
    service="referral_decision_record",
    asks=DECISION_ASKS,
    needs=("decided_on",),
    decision=("cg", "positive"),
    # Move-on support after a positive CG is England and Wales's.
    starts=(Starts(Timer.MOVE_ON, frozenset({Nation.ENGLAND_AND_WALES})),),
    satisfies=(Timer.CG_NOT_BEFORE, Timer.RECONSIDERATION),
    ends_periods=(Timer.RECOVERY_PERIOD,),
    satisfied_because="Conclusive Grounds decision received",
)


def _negative(kind: str) -> dict:
    return dict(
        service="referral_decision_record",
        asks=DECISION_ASKS,
        needs=("decided_on",),
        decision=(kind, "negative"),
        starts=(Starts(Timer.RECONSIDERATION),),
        satisfies=(Timer.RG_DECISION,),
        # A negative CG decision is the CG decision too: the recovery period's ending event.
        ends_periods=(Timer.RECOVERY_PERIOD,) if kind == "cg" else (),
        satisfied_because="decision received",
    )


RECONSIDERATION_REQUEST = Step(
    RECONSIDERATION,
    "Record a reconsideration request",
    service="referral_reconsideration_request",
    satisfies=(Timer.RECONSIDERATION,),
    satisfied_because="reconsideration requested",
)


def _extend_reconsideration(status: str) -> Step:
    """The request window moved on in exceptional circumstances: the status stays."""
    return Step(
        status,
        "Extend the reconsideration window (exceptional circumstances)",
        service="referral_reconsideration_extend",
        asks=("new_last_day", "reason"),
        needs=("new_last_day", "reason"),
        extends=Timer.RECONSIDERATION,
    )


# The person withdraws from the NRM (not the lead withdrawing a referral made in error): no
# further decision or support, nothing more chased. Adults only.
PERSON_WITHDRAWS = Step(
    PERSON_WITHDREW,
    "Record that the person withdrew from the NRM",
    service="referral_person_withdraw",
    asks=DECISION_ASKS,
    needs=("decided_on", "reason"),
    ends_support_in=EVERYWHERE,
    cancels_timers=True,
    satisfied_because="ended: the person withdrew from the NRM",
    adults_only=True,
    warning=True,
)

# A public order disqualification (Nationality and Borders Act 2022 s.63), possible once a
# positive RG decision has been made. s.61 to 63 extend to the whole UK, but the support duty
# it ends is England and Wales's (s.64, Modern Slavery Act 2015 s.50A(5)); support in Scotland
# and Northern Ireland rests on their own Acts, which s.63 does not touch.
DISQUALIFY = Step(
    DISQUALIFIED,
    "Record a public order disqualification",
    service="referral_decision_record",
    asks=DECISION_ASKS,
    needs=("decided_on", "reason"),
    decision=("disqualification", "disqualified"),
    ends_support_in=frozenset({Nation.ENGLAND_AND_WALES}),
    cancels=(Timer.CG_NOT_BEFORE,),
    satisfied_because="ended: public order disqualification",
    warning=True,
)


def _revised(kind: str, outcome: str, to: str, label: str) -> Step:
    """A further or revised decision by the competent authority (after reconsideration or on
    new information): a decision of its own that supersedes the earlier one. A revised
    positive starts what a positive starts; a revised negative ends the support the positive
    started and opens the reconsideration window."""
    if outcome == "positive":
        fields = dict(RG_POSITIVE_STEP if kind == "rg" else CG_POSITIVE_STEP)
        fields.pop("ends_periods", None)
        fields["satisfied_because"] = "revised decision received"
    else:
        fields = dict(_negative(kind))
        fields.update(
            ends_support_in=EVERYWHERE,
            cancels=(Timer.CG_NOT_BEFORE,),
            satisfied_because="ended: revised to a negative decision",
        )
        fields.pop("ends_periods")
    fields.update(decision=(kind, outcome), needs=("decided_on", "reason"), revises=True)
    return Step(to, label, **fields)


REVISE_RG_NEGATIVE = _revised(
    "rg", "negative", RG_NEGATIVE, "Record a revised Reasonable Grounds decision: negative"
)
REVISE_RG_POSITIVE = _revised(
    "rg", "positive", RG_POSITIVE, "Record a revised Reasonable Grounds decision: positive"
)
REVISE_CG_NEGATIVE = _revised(
    "cg", "negative", CG_NEGATIVE, "Record a revised Conclusive Grounds decision: negative"
)
REVISE_CG_POSITIVE = _revised(
    "cg", "positive", CG_POSITIVE, "Record a revised Conclusive Grounds decision: positive"
)

NRM = {
    DRAFT: {
        "submit": _submit(
            "Record as submitted", stops_refer_clock=True, starts=(Starts(Timer.RG_DECISION),)
        ),
        "withdraw": WITHDRAW,
    },
    SUBMITTED: {
        "rg_positive": Step(
            RG_POSITIVE, "Record a positive Reasonable Grounds decision", **RG_POSITIVE_STEP
        ),
        "rg_negative": Step(
            RG_NEGATIVE, "Record a negative Reasonable Grounds decision", **_negative("rg")
        ),
        "person_withdraws": PERSON_WITHDRAWS,
        "withdraw": WITHDRAW,
    },
    RG_POSITIVE: {
        "cg_positive": Step(
            CG_POSITIVE, "Record a positive Conclusive Grounds decision", **CG_POSITIVE_STEP
        ),
        "cg_negative": Step(
            CG_NEGATIVE, "Record a negative Conclusive Grounds decision", **_negative("cg")
        ),
        "revise_rg_negative": REVISE_RG_NEGATIVE,
        "disqualify": DISQUALIFY,
        "person_withdraws": PERSON_WITHDRAWS,
        "withdraw": WITHDRAW,
    },
    RG_NEGATIVE: {
        "request_reconsideration": RECONSIDERATION_REQUEST,
        "extend_reconsideration": _extend_reconsideration(RG_NEGATIVE),
        "revise_rg_positive": REVISE_RG_POSITIVE,
        "person_withdraws": PERSON_WITHDRAWS,
    },
    CG_NEGATIVE: {
        "request_reconsideration": RECONSIDERATION_REQUEST,
        "extend_reconsideration": _extend_reconsideration(CG_NEGATIVE),
        "revise_cg_positive": REVISE_CG_POSITIVE,
        "person_withdraws": PERSON_WITHDRAWS,
    },
    RECONSIDERATION: {
        # A positive decision on reconsideration is a revised decision: it supersedes the
        # negative one.
        "rg_positive": Step(
            RG_POSITIVE,
            "Record a positive decision on reconsideration",
            **{**RG_POSITIVE_STEP, "revises": True},
        ),
        "cg_positive": Step(
            CG_POSITIVE,
            "Record a positive CG decision on reconsideration",
            **{**CG_POSITIVE_STEP, "revises": True},
        ),
        "reconsideration_upheld": Step(
            CLOSED,
            "Record that the negative decision stands",
            service="referral_decision_record",
            asks=DECISION_ASKS,
            needs=("decided_on",),
            decision=("reconsideration", "negative"),
            satisfies=tuple(Timer),
            satisfied_because="negative decision upheld",
        ),
        "person_withdraws": PERSON_WITHDRAWS,
    },
    CG_POSITIVE: {
        "revise_cg_negative": REVISE_CG_NEGATIVE,
        "disqualify": DISQUALIFY,
    },
    # The competent authority may still decide Conclusive Grounds; where support goes on
    # (Scotland, Northern Ireland) that decision is the recovery period's ending event. Nothing
    # else starts: the disqualification stands.
    DISQUALIFIED: {
        f"cg_{outcome}_disqualified": Step(
            DISQUALIFIED_DECIDED,
            f"Record a {outcome} Conclusive Grounds decision",
            service="referral_decision_record",
            asks=DECISION_ASKS,
            needs=("decided_on",),
            decision=("cg", outcome),
            ends_periods=(Timer.RECOVERY_PERIOD,),
            satisfied_because="Conclusive Grounds decision received",
        )
        for outcome in ("positive", "negative")
    },
    DISQUALIFIED_DECIDED: {},
    PERSON_WITHDREW: {},
    WITHDRAWN: {},
    CLOSED: {},
}


def _simple(
    *, stops_refer_clock: bool, satisfies_on_case: tuple[Timer, ...] = ()
) -> dict[str, dict[str, Step]]:
    """Sent, then closed when the receiving agency's answer is recorded."""
    return {
        DRAFT: {
            "submit": _submit(
                "Record as sent",
                stops_refer_clock=stops_refer_clock,
                satisfies_on_case=satisfies_on_case,
            ),
            "withdraw": WITHDRAW,
        },
        SUBMITTED: {
            "close": Step(CLOSED, "Record their answer and close", service="referral_close"),
            "withdraw": WITHDRAW,
        },
        CLOSED: {},
        WITHDRAWN: {},
    }


# Children's Services, police, support services, other agencies: alongside a referral, so
# they leave the 48-hour referral clock running; the Duty to Notify is a referral.
SIMPLE = _simple(stops_refer_clock=False)
DUTY_TO_NOTIFY = _simple(stops_refer_clock=True)
# A child's referral to the guardianship service: alongside the NRM referral, not one (the
# 48-hour clock runs on); sending it meets the case's guardian referral clock.
GUARDIAN = _simple(stops_refer_clock=False, satisfies_on_case=(Timer.GUARDIAN_REFERRAL,))

MACHINES: dict[str, dict[str, dict[str, Step]]] = {
    Pathway.NRM: NRM,
    Pathway.DUTY_TO_NOTIFY: DUTY_TO_NOTIFY,
    Pathway.CHILDRENS_SERVICES: SIMPLE,
    Pathway.GUARDIAN: GUARDIAN,
    Pathway.POLICE: SIMPLE,
    Pathway.SUPPORT_SERVICE: SIMPLE,
    Pathway.OTHER: SIMPLE,
}

# Nothing more can be recorded on a referral in these statuses.
FINAL = {status for machine in MACHINES.values() for status, steps in machine.items() if not steps}


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


def transition_done(referral) -> str:
    """What the confirmation says after a step: which referral, and where it now stands."""
    label = STATUS_LABELS.get(referral.status, referral.status)
    return f"Referral {referral.reference} updated. Its status is now: {label}."
