"""What the help page "How deadlines are counted" says about each timer (issue 18, item 8): what
starts and stops it and where its rule comes from. Its length and end condition are read from
the organisation's rules (referrals.rules) when the page is shown, never written here.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import machines
from .deadlines import (
    AUTHORITY_TIMERS,
    GUARDIAN_SERVICES,
    TIMER_BASIS,
    TIMER_KIND,
    TIMER_LABELS,
    Basis,
    End,
    Kind,
    Rule,
    Timer,
)

if TYPE_CHECKING:
    from .rules import AuthorityRules

BASIS_WORDS: dict[Basis, str] = {
    Basis.CLOCK_HOURS: (
        "Clock hours: exactly that many real hours after it starts, nights and weekends "
        "included. Across a clock change it is still that many hours, so the time of day moves "
        "by an hour."
    ),
    Basis.WORKING_DAYS: (
        "Working days: the day it starts is day 0, whatever day it is; it is due at the end "
        "(23:59 UK time) of the last working day counted. Weekends and your nation's bank "
        "holidays are not working days, so something received on a Saturday counts from Monday."
    ),
    Basis.DAYS_BEGINNING_WITH: (
        "Days beginning with the decision day: the day of the decision is day 1, so a period "
        "of 30 days beginning with 1 March ends at the end of 30 March."
    ),
    Basis.DAYS_WITHIN: (
        "Days within which to act: the day of the decision is day 0, so 30 days from a "
        "decision on 1 March run to the end of 31 March."
    ),
    Basis.NOT_BEFORE_DAYS: (
        "Not before: the day of the decision is day 0, and the first day the next step is "
        "allowed is that many days later, from 00:00 UK time. It is never overdue."
    ),
    Basis.CHOSEN_DAY: (
        "A day chosen when it starts: it is due at the end (23:59 UK time) of that day, whatever "
        "day it is. Nothing is counted, so a weekend or a bank holiday does not move it; the "
        "reminder before it comes on the working day before."
    ),
    Basis.CALENDAR_MONTHS: (
        "Calendar months, as the ICO counts them: from the day it is received to the same day "
        "of the month that many months on (received 3 September, due 3 October). Where that "
        "month is shorter, its last day (received 31 January, due 28 or 29 February); where the "
        "day is a weekend or a bank holiday, the next working day. It is due at the end (23:59 "
        "UK time) of that day."
    ),
}

KIND_WORDS: dict[Kind, str] = {
    Kind.DUTY: "Something to do by a time: once the time passes it is overdue until done.",
    Kind.PERIOD: (
        "A support period: it ends, it is never overdue. You are reminded before it ends and "
        "when it ends, with what to do."
    ),
    Kind.EARLIEST: "The earliest moment something may happen: it is never overdue.",
}

END_WORDS: dict[End, str] = {
    End.FIXED: "It ends on its last day.",
    End.EVENT: "It ends with the Conclusive Grounds decision; its last day is when to check.",
    End.LATER: (
        "It lasts at least until its last day, and continues until the Conclusive Grounds "
        "decision if that comes later."
    ),
    End.EARLIER: (
        "It ends on its last day, or with the Conclusive Grounds decision if that comes first."
    ),
}

UNITS: dict[Basis, str] = {
    Basis.CLOCK_HOURS: "hours",
    Basis.WORKING_DAYS: "working days",
    Basis.DAYS_BEGINNING_WITH: "days",
    Basis.DAYS_WITHIN: "days",
    Basis.NOT_BEFORE_DAYS: "days",
    Basis.CHOSEN_DAY: "",
    Basis.CALENDAR_MONTHS: "calendar months",
}

GUIDANCE = (
    "Modern Slavery: statutory guidance for England and Wales (under s.49 of the Modern Slavery "
    "Act 2015) and non-statutory guidance for Scotland and Northern Ireland, Home Office"
)

# The recovery period's basis differs by nation: the source for the organisation's nation.
RECOVERY_SOURCES: dict[str, str] = {
    "ENG": (
        f"{GUIDANCE}: at least 30 days from the positive Reasonable Grounds decision, in force "
        "from 30 January 2023 (version 3.0 onwards; checked against version 3.11, October 2024), "
        "after the Nationality and Borders Act 2022; written ministerial statement "
        '"Modern Slavery Statutory Guidance", Hansard, 13 December 2022. Before that the '
        "minimum was 45 days."
    ),
    "SCT": (
        "Human Trafficking and Exploitation (Scotland) Act 2015, s.9(2): support from the "
        "positive Reasonable Grounds decision until the end of the period set in regulations or "
        "the Conclusive Grounds decision, whichever is earlier; the Human Trafficking and "
        "Exploitation (Scotland) Act 2015 (Support for Victims) Regulations 2018 (SSI 2018/90), "
        "reg. 2: 90 days. Support may continue beyond 90 days until the decision (s.9(3))."
    ),
    "NIR": (
        "Human Trafficking and Exploitation (Criminal Justice and Support for Victims) Act "
        "(Northern Ireland) 2015, s.18(3) and (4), as amended by the Justice (Sexual Offences "
        "and Trafficking Victims) Act (Northern Ireland) 2022, s.21: support until the "
        "Conclusive Grounds decision, and for at least 45 days (or longer, as the Department of "
        "Justice decides) from the positive Reasonable Grounds decision."
    ),
}


PILOT_GUIDANCE = (
    "Devolving child decision making pilot programme: general guidance, Home Office, version "
    "6.0 (November 2023)"
)

# Where each competent authority's lengths for the timers it sets come from (issue 18,
# item 3). Keyed by CompetentAuthority's values; the lengths themselves are read from its
# AuthorityRule when the page is shown.
AUTHORITY_SOURCES: dict[str, dict[Timer, str]] = {
    "sca": {
        Timer.RG_DECISION: (
            f"{GUIDANCE}: the Single Competent Authority aims to make the Reasonable Grounds "
            f"decision within 5 working days of the referral where it can (restated in the "
            f"{PILOT_GUIDANCE}). A target to chase, not a legal deadline."
        ),
        Timer.CG_NOT_BEFORE: (
            f"{GUIDANCE}: no target date for the Conclusive Grounds decision, which comes as "
            "soon as it can after at least 30 calendar days from the Reasonable Grounds "
            f"decision have passed ({PILOT_GUIDANCE}, introduction)."
        ),
    },
    "ieca": {
        Timer.RG_DECISION: (
            "The Immigration Enforcement Competent Authority, set up in November 2021, decides "
            "referrals of people detained in an immigration removal centre or prison for "
            "immigration purposes, foreign national offenders (detained, or in the community "
            "with deportation begun) and people whose asylum claims were found inadmissible "
            "(Independent Chief Inspector of Borders and Immigration, inspection of the IECA, "
            "2024). Its decision makers apply the same statutory guidance as the Single "
            "Competent Authority (Home Office answer to Parliament HL4899, 24 December 2021), "
            "so the same 5 working day target, to chase."
        ),
        Timer.CG_NOT_BEFORE: (
            f"{GUIDANCE}, as for the Single Competent Authority: not before at least 30 "
            "calendar days from the Reasonable Grounds decision."
        ),
    },
    "child_pilot": {
        Timer.RG_DECISION: (
            "Local panel's timescale: set it to what your panel has agreed. In a pilot site a "
            "multi-agency panel of the local authority (children's social care, the police and "
            f"health) makes a child's Reasonable Grounds and Conclusive Grounds decisions "
            f"({PILOT_GUIDANCE}); the national guidance sets the panel no number of working "
            "days. It is still chased once it passes: a decision later than your panel agreed "
            "is worth asking about."
        ),
        Timer.CG_NOT_BEFORE: (
            "Local panel's timescale: set it to what your panel has agreed (the national "
            "guidance's 30 calendar days until you do)."
        ),
    },
}

NOT_SET_HERE = (
    "Not set by your organisation yet: until an administrator sets what your panel has agreed, "
    "the national lengths are used."
)


@dataclass(frozen=True)
class AuthorityHelp:
    authority: str
    label: str
    length: str
    source: str
    note: str  # the organisation's own words on where its lengths come from, if any
    not_set: str  # for the local panel, while the seeded lengths are still in use


# The guardian referral: each nation's service and the law or guidance behind it. None sets a
# number of days, so the length is the organisation's own target.
ICTG_GUIDANCE = (
    "Interim guidance for Independent Child Trafficking Guardians (Home Office, under s.49 of "
    "the Modern Slavery Act 2015; updated May 2024)"
)
GUARDIAN_SOURCES: dict[str, str] = {
    "ENG": (
        f"{ICTG_GUIDANCE}: where the service runs, a first responder refers the child to it as "
        "well as to the NRM, and to the local authority through the usual safeguarding route. "
        "Barnardo's runs it in about two thirds of local authority areas in England and in all "
        'of Wales (Barnardo\'s National Counter Trafficking Centre, "Guardianship Service"). '
        "The number of working days is a local target: the guidance sets none."
    ),
    "SCT": (
        "Human Trafficking and Exploitation (Scotland) Act 2015, s.11: a relevant authority "
        "that finds a child eligible (no one in the UK with parental rights or responsibilities, "
        "and reasonable grounds to believe they are or may become a trafficking victim) brings "
        "them to the guardian service's attention as soon as reasonably practicable. The "
        "service is Guardianship Scotland, run by the Scottish Refugee Council and Aberlour "
        "Children's Charity since 1 April 2023 (before that the Scottish Guardianship Service). "
        "The number of working days is a local target."
    ),
    "NIR": (
        "Human Trafficking and Exploitation (Criminal Justice and Support for Victims) Act "
        "(Northern Ireland) 2015, s.21: a child is eligible for an independent guardian once an "
        "NRM referral is made or about to be made, where no one in the UK exercises parental "
        "responsibility for them, or if they are a separated child. The Independent Guardian "
        "Service is run by Barnardo's NI for the Health and Social Care Board (Department of "
        'Health, "IGS Guidance - Section 21", August 2023). The number of working days is a '
        "local target."
    ),
}


@dataclass(frozen=True)
class TimerHelp:
    starts: str
    stops: str
    source: str  # act and section, guidance and version, or "local target"
    nations: frozenset[str] = frozenset()  # started only in these nations, if any named


TIMER_HELP: dict[Timer, TimerHelp] = {
    Timer.REFER: TimerHelp(
        starts="When the person was identified as a possible victim (the concern's time).",
        stops=(
            "An NRM referral or Duty to Notify recorded as sent, or a decision at triage not "
            "to refer, with the reason."
        ),
        source=(
            "Local target: your organisation's own, not a legal deadline (the safeguarding "
            "procedure this product started from sets 48 hours)."
        ),
    ),
    Timer.RG_DECISION: TimerHelp(
        starts="When the NRM referral is recorded as sent to the competent authority.",
        stops="The Reasonable Grounds decision recorded.",
        source=(
            f"{GUIDANCE}: the competent authority aims to decide within 5 working days where "
            "it can. A target to chase, not a legal deadline. Each competent authority's own "
            "length is below."
        ),
    ),
    Timer.RECOVERY_PERIOD: TimerHelp(
        starts="A positive Reasonable Grounds decision, from the day it was made.",
        stops="Its end, as the end condition says. It can be extended, with a reason.",
        source="",  # by nation: RECOVERY_SOURCES
    ),
    Timer.CG_NOT_BEFORE: TimerHelp(
        starts="A positive Reasonable Grounds decision, from the day it was made.",
        stops="The Conclusive Grounds decision recorded.",
        source=(
            f"{GUIDANCE}: the Conclusive Grounds decision is not made before the minimum "
            "recovery period has passed."
        ),
    ),
    Timer.RECONSIDERATION: TimerHelp(
        starts="A negative Reasonable Grounds or Conclusive Grounds decision, from its day.",
        stops="A request for reconsideration recorded.",
        source=(
            f"{GUIDANCE}: a request for reconsideration is made within 30 calendar days of the "
            "decision; later only in exceptional circumstances."
        ),
    ),
    Timer.MOVE_ON: TimerHelp(
        starts="A positive Conclusive Grounds decision, from the day it was made.",
        stops="Its last day.",
        source=(
            f"{GUIDANCE}: at least 45 calendar days of move-on support after a positive "
            "Conclusive Grounds decision, through the Modern Slavery Victim Care Contract."
        ),
        nations=frozenset({"ENG"}),
    ),
    Timer.SUPPORT_TASK: TimerHelp(
        starts="A target date given to a task of the support plan.",
        stops=(
            "The task marked done. Marking it blocked, removing it or taking its date away "
            "stops it too; a new date moves it, and its reminders go to the new day."
        ),
        source="Local practice: the date the plan sets for the task.",
    ),
    Timer.SUBJECT_ACCESS: TimerHelp(
        starts="The day a person's request for their own records is received.",
        stops=(
            "Their records sent to them (the bundle released). A complex request may be "
            "extended by two further months, with the reason recorded and the person told "
            "within the first month."
        ),
        source=(
            'UK GDPR Article 12(3) and Article 15; ICO, "Right of access" guidance (time '
            "limits: how to count a calendar month)."
        ),
    ),
    Timer.PLACE_OF_SAFETY: TimerHelp(
        starts="When a Place of Safety starts.",
        stops="Its end, or the Reasonable Grounds decision.",
        source=(
            "Modern Slavery Victim Care Contract (England and Wales): a Place of Safety for up "
            "to 3 working days while a referral is made."
        ),
    ),
    Timer.GUARDIAN_REFERRAL: TimerHelp(
        starts=(
            "A child's first Children's Services or NRM referral (someone whose age is disputed "
            "or not known counts as a child until an age assessment settles it)."
        ),
        stops=(
            "A guardian referral recorded as sent, or the child's age settled as an adult's by "
            "an age assessment."
        ),
        source="",  # by nation: GUARDIAN_SOURCES
    ),
    Timer.RISK_REVIEW: TimerHelp(
        starts="A risk assessment recorded, with the date to review it by.",
        stops="The next risk assessment recorded (which sets the next review), or the case closed.",
        source=(
            "Local practice: the lead sets each review date at the assessment; support ends "
            "when the risk has fallen, and the assessments are how it shows."
        ),
    ),
}

NATION_NAMES = {"ENG": "England and Wales", "SCT": "Scotland", "NIR": "Northern Ireland"}


@dataclass(frozen=True)
class HelpRow:
    timer: Timer
    label: str
    kind: str
    starts: str
    stops: str
    basis: str
    length: str
    end: str
    source: str
    applies: str
    # For a timer the competent authority sets: each authority's length and its source. The
    # row's own length is then the organisation's, used where no authority is recorded.
    authorities: tuple[AuthorityHelp, ...] = ()


def _length(rule: Rule, basis: Basis) -> str:
    if basis is Basis.CHOSEN_DAY:
        return "The review date set in each assessment"
    return f"{rule.length} {UNITS[basis] if rule.length != 1 else UNITS[basis][:-1]}"


def _by_authority(timer: Timer, authorities: "Sequence[AuthorityRules]") -> tuple:
    if timer not in AUTHORITY_TIMERS:
        return ()
    return tuple(
        AuthorityHelp(
            authority=each.authority,
            label=each.label,
            length=_length(each.rules[timer], TIMER_BASIS[timer]),
            source=AUTHORITY_SOURCES[each.authority][timer],
            note=each.note,
            not_set=NOT_SET_HERE if each.authority == "child_pilot" and not each.set_here else "",
        )
        for each in authorities
    )


def _guardian_applies(nation: str, covered: bool) -> str:
    service = GUARDIAN_SERVICES[nation]
    if service.national:
        return f"Children's cases, all over {NATION_NAMES[nation]}: {service.name}."
    if covered:
        return (
            f"Children's cases, where {service.name} covers your area: your organisation "
            "settings say it does."
        )
    return (
        f"Not started here: your organisation settings say {service.name} does not cover your area."
    )


def help_rows(
    rules: dict[Timer, Rule],
    nation: str,
    authorities: "Sequence[AuthorityRules]" = (),
    *,
    guardian_covers_area: bool = True,
) -> list[HelpRow]:
    """Every timer the code knows, with this organisation's length and end condition, and for
    the timers a competent authority sets, each authority's."""
    rows = []
    for timer in Timer:
        facts, rule, basis = TIMER_HELP[timer], rules.get(timer), TIMER_BASIS[timer]
        kind = TIMER_KIND[timer]
        applies = (
            "Everywhere"
            if not facts.nations
            else "Only in " + ", ".join(NATION_NAMES[n] for n in sorted(facts.nations))
        )
        source = facts.source
        if timer is Timer.RECOVERY_PERIOD:
            source = RECOVERY_SOURCES[nation]
        elif timer is Timer.GUARDIAN_REFERRAL:
            source = GUARDIAN_SOURCES[nation]
            applies = _guardian_applies(nation, guardian_covers_area)
        rows.append(
            HelpRow(
                timer=timer,
                label=TIMER_LABELS[timer],
                kind=KIND_WORDS[kind],
                starts=facts.starts,
                stops=facts.stops,
                basis=BASIS_WORDS[basis],
                length=_length(rule, basis) if rule else "The target date set for the task",
                end=END_WORDS[rule.end] if rule and kind is Kind.PERIOD else "",
                source=source,
                applies=applies,
                authorities=_by_authority(timer, authorities),
            )
        )
    return rows


# --- Steps that move, end or replace the timers (issue 18, item 4) ------------------------------

NABA = "Nationality and Borders Act 2022"


@dataclass(frozen=True)
class StepHelp:
    label: str
    what: str  # what it does to the timers
    source: str


def _disqualification_effect(nation: str) -> str:
    if nation == "ENG":
        return (
            "The recovery period and any move-on support end on the day it is recorded: the "
            "duty to support ceases (Modern Slavery Act 2015 s.50A(5)). They are ended, not "
            "overdue, and no more reminders are sent."
        )
    law = {
        "SCT": "the Human Trafficking and Exploitation (Scotland) Act 2015, s.9",
        "NIR": "the Human Trafficking and Exploitation (Criminal Justice and Support for "
        "Victims) Act (Northern Ireland) 2015, s.18",
    }[nation]
    return (
        f"It ends the protection from removal and any grant of leave (s.63(2)), but support "
        f"in {NATION_NAMES[nation]} is given under {law}, which s.63 does not change: the "
        "recovery period carries on to its end, and a later Conclusive Grounds decision can "
        "still be recorded."
    )


def step_help(nation: str) -> list[StepHelp]:
    """Every step that moves, ends or replaces a timer, in words, with its source."""
    return [
        StepHelp(
            label="Extend the reconsideration window",
            what=(
                "Moves the last day for a reconsideration request to the day you enter, with "
                "the exceptional circumstances. The old last day stays shown beside the new "
                "one, and reminders are planned again for the new day."
            ),
            source=(
                f"{GUIDANCE}, reconsideration of negative decisions: a request is made within "
                "30 calendar days, and an extension is accepted only in exceptional "
                "circumstances; restated in the NRM statistics for January to March 2025, "
                '"Annex: reasons for accepting reconsideration requests" (GOV.UK, 8 May 2025).'
            ),
        ),
        StepHelp(
            label="Extend the recovery period",
            what=(
                "Moves the end of the recovery period on by whole days, with the reason; the "
                "old end stays shown and reminders are planned again."
            ),
            source=RECOVERY_SOURCES[nation],
        ),
        StepHelp(
            label="A revised Reasonable Grounds or Conclusive Grounds decision",
            what=(
                "A further decision by the competent authority, after reconsideration or new "
                "information. It is kept as a decision of its own and the earlier one is shown "
                "as superseded. A revised positive decision starts what a positive decision "
                "starts (the recovery period after Reasonable Grounds; move-on support after "
                "Conclusive Grounds in England and Wales); a revised negative one ends the "
                "support the positive one started and opens the reconsideration window."
            ),
            source=(
                f"{NABA}, s.62 (a further Reasonable Grounds decision) and Modern Slavery Act "
                f"2015 s.50A(3) and (4); {GUIDANCE}, reconsideration of decisions."
            ),
        ),
        StepHelp(
            label="Public order disqualification",
            what=(
                "Recorded with its date and the competent authority's reasons, only after a "
                "positive Reasonable Grounds decision. " + _disqualification_effect(nation)
            ),
            source=(
                f"{NABA}, s.63: the competent authority may disqualify a person who is a "
                "threat to public order, or who claimed to be a victim in bad faith. s.61 to "
                "63 extend to the whole United Kingdom; s.64 (support, Modern Slavery Act 2015 "
                f"s.50A) to England and Wales only ({NABA}, Explanatory Notes, Annex B)."
            ),
        ),
        StepHelp(
            label="The person withdraws from the NRM",
            what=(
                "Recorded with the day they withdrew and how. Their support periods end there "
                "and then, and nothing more on the referral is chased. A child does not "
                "withdraw from the NRM, so it cannot be recorded for a child. They can be "
                "referred again later."
            ),
            source=(
                f"{GUIDANCE}, withdrawal from the NRM: an adult writes to the competent "
                "authority; no further decision or support follows."
            ),
        ),
        StepHelp(
            label="Withdraw the referral",
            what=(
                "A referral made in error or no longer needed: nothing of it is chased any more."
            ),
            source="Local practice.",
        ),
    ]


def outcome_notice(status: str, nation: str) -> str:
    """What an outcome means for the person's support, for the referral page and the pack."""
    if status in (machines.DISQUALIFIED, machines.DISQUALIFIED_DECIDED):
        return (
            "Public order disqualification (Nationality and Borders Act 2022 s.63). "
            + _disqualification_effect(nation)
        )
    if status == machines.PERSON_WITHDREW:
        return (
            "The person withdrew from the NRM: no further decision or NRM support follows, and "
            "nothing more on this referral is chased. They can be referred again if they wish."
        )
    return ""
