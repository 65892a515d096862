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


class Pathway(models.TextChoices):
    """The routes a concern can take, and which a directory entry can receive."""

    NRM = "nrm", "National Referral Mechanism (NRM)"
    DUTY_TO_NOTIFY = "duty_to_notify", "Duty to Notify (MS1)"
    CHILDRENS_SERVICES = "childrens_services", "Children's Services referral"
    POLICE = "police", "Police report"
    SUPPORT_SERVICE = "support_service", "Support service referral"
    OTHER = "other", "Other agency"
