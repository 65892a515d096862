"""The organisation's rule for each timer: its length (from OrganisationSettings) and what ends
it, with the competent authority's own lengths (AuthorityRule, issue 18, item 3) laid over the
timers it sets. The one place the services and the help page read lengths and end conditions
from; the arithmetic in referrals.deadlines is the same whichever source a length comes from.
"""

from dataclasses import dataclass

from safeguard.models import OrganisationSettings

from .deadlines import (
    AUTHORITY_TIMERS,
    CHOSEN_DAY_TIMERS,
    COUNTED_TIMERS,
    SUBJECT_ACCESS_MONTHS,
    End,
    Rule,
    Timer,
)
from .models import AuthorityRule, CompetentAuthority

# The OrganisationSettings field holding each timer's length.
LENGTH_FIELDS: dict[Timer, str] = {
    Timer.REFER: "refer_hours",
    Timer.RG_DECISION: "rg_working_days",
    Timer.RECOVERY_PERIOD: "recovery_days",
    Timer.CG_NOT_BEFORE: "cg_not_before_days",
    Timer.RECONSIDERATION: "reconsideration_days",
    Timer.MOVE_ON: "move_on_days",
    Timer.PLACE_OF_SAFETY: "place_of_safety_working_days",
    Timer.GUARDIAN_REFERRAL: "guardian_referral_working_days",
}

# Timers whose length the law sets, not the organisation: no setting to change.
STATUTORY_LENGTHS: dict[Timer, int] = {Timer.SUBJECT_ACCESS: SUBJECT_ACCESS_MONTHS}

# The AuthorityRule field holding the length of each timer a competent authority sets.
AUTHORITY_LENGTH_FIELDS: dict[Timer, str] = {
    Timer.RG_DECISION: "rg_working_days",
    Timer.CG_NOT_BEFORE: "cg_not_before_days",
}

# The field holding a timer's end condition, where the organisation chooses one; the others
# end on their day.
END_FIELDS: dict[Timer, str] = {Timer.RECOVERY_PERIOD: "recovery_end"}


def _authority_row(authority: str) -> AuthorityRule | None:
    return AuthorityRule.objects.filter(authority=authority).first()


def rule_for(
    organisation: OrganisationSettings,
    timer: Timer | str,
    authority: str = "",
    *,
    row: AuthorityRule | None = None,
) -> Rule:
    """The rule a deadline of `timer` starts with. For a timer the competent authority sets,
    the authority's row if it has one; otherwise (no authority recorded, or its row missing)
    the organisation's own length, as before authorities had rules of their own."""
    timer = Timer(timer)
    if timer in CHOSEN_DAY_TIMERS:
        return Rule(length=0)  # its day is chosen when it starts: no length to set
    if timer in STATUTORY_LENGTHS:
        return Rule(length=STATUTORY_LENGTHS[timer])
    if authority and timer in AUTHORITY_TIMERS:
        row = row if row is not None else _authority_row(authority)
        if row is not None:
            return Rule(length=getattr(row, AUTHORITY_LENGTH_FIELDS[timer]), end=End.FIXED)
    end = getattr(organisation, END_FIELDS[timer]) if timer in END_FIELDS else End.FIXED
    return Rule(length=getattr(organisation, LENGTH_FIELDS[timer]), end=End(end))


def rule_and_source(
    organisation: OrganisationSettings, timer: Timer | str, authority: str = ""
) -> tuple[Rule, str]:
    """The rule a new deadline starts with, and whose it is: the authority whose row gave its
    length, or "" for the organisation's settings (stored as Deadline.authority)."""
    timer = Timer(timer)
    row = _authority_row(authority) if authority and timer in AUTHORITY_TIMERS else None
    if row is None:
        return rule_for(organisation, timer), ""
    return rule_for(organisation, timer, authority, row=row), authority


def rules_for(organisation: OrganisationSettings) -> dict[Timer, Rule]:
    """Every counted timer's rule (a timer due on a chosen day has no length)."""
    return {timer: rule_for(organisation, timer) for timer in Timer if timer in COUNTED_TIMERS}


@dataclass(frozen=True)
class AuthorityRules:
    """One competent authority's rules, for the help page and the referral page."""

    authority: str
    label: str
    rules: dict[Timer, Rule]
    note: str
    set_here: bool  # an administrator has saved them; else they are the seeded defaults


def authority_rules(organisation: OrganisationSettings, authority: str) -> AuthorityRules:
    row = _authority_row(authority)
    return _authority_rules(organisation, authority, row)


def all_authority_rules(organisation: OrganisationSettings) -> list[AuthorityRules]:
    """Every competent authority's rules, in the order of CompetentAuthority (one query)."""
    rows = {row.authority: row for row in AuthorityRule.objects.all()}
    return [_authority_rules(organisation, a, rows.get(a)) for a in CompetentAuthority.values]


def _authority_rules(organisation, authority: str, row: AuthorityRule | None) -> AuthorityRules:
    return AuthorityRules(
        authority=authority,
        label=CompetentAuthority(authority).label,
        rules={
            timer: rule_for(organisation, timer, authority, row=row)
            if row is not None
            else rule_for(organisation, timer)
            for timer in sorted(AUTHORITY_TIMERS)
        },
        note=row.note if row is not None else "",
        set_here=row.set_here if row is not None else False,
    )


def authority_rules_ensure() -> None:
    """A row for every competent authority, with the organisation's current lengths where one
    is missing: what the migration seeds, for a database emptied since (the admin's list
    calls it, so there is always a row to change)."""
    organisation = OrganisationSettings.load()
    lengths = {field: getattr(organisation, field) for field in AUTHORITY_LENGTH_FIELDS.values()}
    have = set(AuthorityRule.objects.values_list("authority", flat=True))
    AuthorityRule.objects.bulk_create(
        [
            AuthorityRule(authority=authority, **lengths)
            for authority in CompetentAuthority.values
            if authority not in have
        ],
        ignore_conflicts=True,
    )


def suggested_authority(organisation: OrganisationSettings, *, child: bool) -> str:
    """Who most likely decides a new NRM referral: the local panel for a child where the
    organisation's local authority is a pilot site, otherwise the Single Competent Authority.
    The Immigration Enforcement Competent Authority cannot be told from the case (detention,
    deportation and inadmissible asylum claims are not recorded here): the lead chooses it."""
    if child and organisation.child_pilot_site:
        return CompetentAuthority.CHILD_PILOT
    return CompetentAuthority.SCA
