"""The organisation's rule for each timer: its length (from OrganisationSettings) and what ends
it. The one place the services and the help page read lengths and end conditions from, so that
a competent authority's own lengths (issue 18, item 3) can later be laid over these without
touching the arithmetic in referrals.deadlines.
"""

from safeguard.models import OrganisationSettings

from .deadlines import End, Rule, Timer

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

# The field holding a timer's end condition, where the organisation chooses one; the others
# end on their day.
END_FIELDS: dict[Timer, str] = {Timer.RECOVERY_PERIOD: "recovery_end"}


def rule_for(organisation: OrganisationSettings, timer: Timer | str) -> Rule:
    timer = Timer(timer)
    end = getattr(organisation, END_FIELDS[timer]) if timer in END_FIELDS else End.FIXED
    return Rule(length=getattr(organisation, LENGTH_FIELDS[timer]), end=End(end))


def rules_for(organisation: OrganisationSettings) -> dict[Timer, Rule]:
    return {timer: rule_for(organisation, timer) for timer in Timer}
