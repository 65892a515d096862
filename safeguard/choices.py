"""Choices shared across the project. No models here, so app configs may import it."""

from django.db import models


class Role(models.TextChoices):
    FRONTLINE = "frontline", "Frontline practitioner"
    LEAD = "lead", "Safeguarding lead"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Administrator"


class Nation(models.TextChoices):
    # The values are the `holidays` package's UK subdivisions: the bank-holiday calendar.
    ENGLAND_AND_WALES = "ENG", "England and Wales"
    SCOTLAND = "SCT", "Scotland"
    NORTHERN_IRELAND = "NIR", "Northern Ireland"


class PeriodEnd(models.TextChoices):
    # The values are referrals.deadlines.End's: what, besides its length, ends a period.
    FIXED = "fixed", "On its last day only"
    EVENT = "event", "At the Conclusive Grounds decision"
    LATER = "later", "At least until its last day, and until the Conclusive Grounds decision"
    EARLIER = "earlier", "On its last day, or at the Conclusive Grounds decision if earlier"


# Each nation's defaults for the timer settings that differ by nation (issue 18, item 1), as
# referrals.deadlines.RECOVERY_DEFAULTS states them with their sources. A new organisation
# gets its nation's; changing the nation offers them, for new deadlines only.
NATION_DEFAULTS: dict[str, dict[str, object]] = {
    "ENG": {"recovery_days": 30, "recovery_end": PeriodEnd.LATER},
    "SCT": {"recovery_days": 90, "recovery_end": PeriodEnd.EARLIER},
    "NIR": {"recovery_days": 45, "recovery_end": PeriodEnd.LATER},
}


class Pathway(models.TextChoices):
    """The routes a concern can take, and which a directory entry can receive."""

    NRM = "nrm", "National Referral Mechanism (NRM)"
    DUTY_TO_NOTIFY = "duty_to_notify", "Duty to Notify (MS1)"
    CHILDRENS_SERVICES = "childrens_services", "Children's Services referral"
    # Each nation's service by its own name: referrals.deadlines.GUARDIAN_SERVICES.
    GUARDIAN = "guardian", "Child trafficking guardian referral"
    POLICE = "police", "Police report"
    SUPPORT_SERVICE = "support_service", "Support service referral"
    OTHER = "other", "Other agency"
