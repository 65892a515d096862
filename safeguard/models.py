from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .choices import NATION_DEFAULTS, Nation, PeriodEnd, Role


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields["role"] = Role.ADMIN
        fields["is_superuser"] = True
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> "User":
        # Email addresses are matched without regard to case: "Ann@x" and "ann@x" are one user.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Identified by email; what they may do follows from `role`."""

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.FRONTLINE)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Clear this instead of deleting a user: their records stay."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def has_mfa(self) -> bool:
        """Whether the user has a second factor (authenticator app or security key)."""
        from allauth.mfa.utils import is_mfa_enabled

        return is_mfa_enabled(self)

    @property
    def is_staff(self) -> bool:
        """Only administrators reach the Django admin."""
        return self.is_active and self.role == Role.ADMIN


# The competent authority's own length replaces these two (referrals.AuthorityRule).
AUTHORITY_SETS_IT = (
    "Only for a referral that names no competent authority (one started before authorities had "
    "their own): each authority's length is under \"Competent authorities' timers\"."
)


# Each timer length counts at least one of its units: with 0 the deadline arithmetic has
# nothing to count and refuses, and a concern could not be logged. The form says so, and the
# database refuses it too (OrganisationSettings.Meta).
TIMER_LENGTH_FIELDS = (
    "refer_hours",
    "rg_working_days",
    "recovery_days",
    "cg_not_before_days",
    "reconsideration_days",
    "move_on_days",
    "place_of_safety_working_days",
    "guardian_referral_working_days",
)
AT_LEAST_ONE = [MinValueValidator(1, "Enter a length of at least 1")]


# The privacy notice a new organisation starts with: to be replaced by its own (its name, its
# data protection officer, how long it keeps records). Shown at a referral's consent step and
# printed in the referral pack (issue 21, item 4).
DEFAULT_PRIVACY_NOTICE = """\
We keep a record of what you tell us and of what we see, so that we can help keep you safe \
and find you support. It may include your health, your background and what has happened to \
you, and details about people who may have harmed you.

We use it to protect you and others at risk (the Data Protection Act 2018, Schedule 1, \
paragraph 18: safeguarding children and individuals at risk). We share it only with the \
agencies who need it to help you: if you agree to a National Referral Mechanism referral, \
the Home Office's competent authority that decides it; the police, Children's Services or \
your support provider where the law or your safety requires it.

Only the people working on your case can read the record, and every time someone opens it \
is logged. We keep it only for as long as our retention schedule allows, then delete it.

You can ask for a copy of what we hold about you, and we will answer within one month. You \
can ask us to correct something that is wrong: we add your correction to the record. To ask, \
or to complain, contact us; you can also complain to the Information Commissioner's Office \
(ico.org.uk, 0303 123 1113)."""


class OrganisationSettings(models.Model):
    """The one row of organisation-wide settings. Read it with `OrganisationSettings.load()`."""

    name = models.CharField("organisation name", max_length=200, default="Your organisation")
    nation = models.CharField(
        max_length=3,
        choices=Nation.choices,
        default=Nation.ENGLAND_AND_WALES,
        help_text="Sets the bank-holiday calendar for working-day deadlines.",
    )
    is_first_responder = models.BooleanField(
        "is a first responder organisation",
        default=False,
        help_text="Only first responder organisations may submit NRM referrals.",
    )
    holds_duty_to_notify = models.BooleanField(
        "holds the Duty to Notify",
        default=False,
        help_text="Specified public authorities in England and Wales notify the Home Office "
        "of adult victims who do not consent to an NRM referral.",
    )
    child_pilot_site = models.BooleanField(
        "our local authority is a devolved child decision-making pilot site",
        default=False,
        help_text="There a local multi-agency panel, not the Single Competent Authority, makes "
        "a child's Reasonable Grounds and Conclusive Grounds decisions: a child's NRM referral "
        "then suggests the pilot as its competent authority.",
    )
    # Timer lengths (DOMAIN.md "Timers"); referrals.deadlines does the arithmetic.
    refer_hours = models.PositiveSmallIntegerField(
        "referral due within (clock hours)", default=48, validators=AT_LEAST_ONE
    )
    rg_working_days = models.PositiveSmallIntegerField(
        "Reasonable Grounds decision expected within (working days)",
        validators=AT_LEAST_ONE,
        default=5,
        help_text=AUTHORITY_SETS_IT,
    )
    recovery_days = models.PositiveSmallIntegerField(
        "recovery period (days)",
        validators=AT_LEAST_ONE,
        default=NATION_DEFAULTS[Nation.ENGLAND_AND_WALES]["recovery_days"],
        help_text="Counted from the day of the positive Reasonable Grounds decision. Today's "
        "rules: at least 30 days in England and Wales, 90 in Scotland, 45 in Northern Ireland.",
    )
    recovery_end = models.CharField(
        "the recovery period ends",
        max_length=8,
        choices=PeriodEnd.choices,
        default=NATION_DEFAULTS[Nation.ENGLAND_AND_WALES]["recovery_end"],
        help_text="England and Wales and Northern Ireland: at least its last day, and until the "
        "Conclusive Grounds decision. Scotland: its last day, or the decision if earlier.",
    )
    cg_not_before_days = models.PositiveSmallIntegerField(
        "Conclusive Grounds not before (days after a positive RG)",
        validators=AT_LEAST_ONE,
        default=30,
        help_text=AUTHORITY_SETS_IT,
    )
    reconsideration_days = models.PositiveSmallIntegerField(
        "reconsideration request window (days)", validators=AT_LEAST_ONE, default=30
    )
    move_on_days = models.PositiveSmallIntegerField(
        "move-on support (days)", default=45, validators=AT_LEAST_ONE
    )
    place_of_safety_working_days = models.PositiveSmallIntegerField(
        "place of safety (working days)", validators=AT_LEAST_ONE, default=3
    )
    # Children (issue 18, item 5): referrals.deadlines.GUARDIAN_SERVICES names each nation's
    # service. Scotland's and Northern Ireland's cover the whole nation, so this is asked only
    # of England and Wales, where the ICTG service runs in about two thirds of areas. One yes
    # or no rather than a list of areas: a case does not record its local authority, and an
    # organisation working across several answers yes if any is covered, then records for a
    # child outside it that no guardian referral is needed, and why.
    guardian_service_covers_area = models.BooleanField(
        "the Independent Child Trafficking Guardian service covers our area",
        default=True,
        help_text="England and Wales only: where it does, a child's case gets a guardian "
        "referral step with its own deadline. Scotland's and Northern Ireland's guardianship "
        "services cover the whole nation.",
    )
    guardian_referral_working_days = models.PositiveSmallIntegerField(
        "guardian referral due within (working days)",
        validators=AT_LEAST_ONE,
        default=2,
        help_text="Your own target, counted from the child's first Children's Services or NRM "
        "referral: guidance asks for the referral alongside the NRM referral, with no number.",
    )
    reminder_before_working_days = models.PositiveSmallIntegerField(
        "first reminder (working days before a deadline)", default=1
    )
    privacy_notice = models.TextField(
        "privacy notice",
        default=DEFAULT_PRIVACY_NOTICE,
        help_text="What you tell people about how you use their information: shown to the "
        "lead when consent to a referral is recorded, and printed in the referral pack. "
        "Replace the starting text with your organisation's own notice.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "organisation settings"
        verbose_name_plural = "organisation settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1), name="organisation_settings_singleton"
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{field}__gte": 1}), name=f"{field}_at_least_one"
                )
                for field in TIMER_LENGTH_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "OrganisationSettings":
        settings, _ = cls.objects.get_or_create(pk=1)
        return settings

    @property
    def guardian_service_applies(self) -> bool:
        """Whether a child's case here is referred to a guardianship service."""
        return self.nation != Nation.ENGLAND_AND_WALES or self.guardian_service_covers_area

    def nation_defaults(self) -> dict[str, object]:
        """The timer settings today's rules give the chosen nation."""
        return dict(NATION_DEFAULTS[self.nation])

    def differs_from_nation_defaults(self) -> dict[str, object]:
        """The nation's defaults this organisation does not use (empty if it uses them all)."""
        return {
            name: value
            for name, value in self.nation_defaults().items()
            if getattr(self, name) != value
        }

    def apply_nation_defaults(self) -> list[str]:
        """Take the nation's defaults (not saved). Deadlines already started keep their due
        times: only deadlines started from now on count with these."""
        changed = list(self.differs_from_nation_defaults())
        for name, value in self.nation_defaults().items():
            setattr(self, name, value)
        return changed

    def clean(self) -> None:
        if self.holds_duty_to_notify and self.nation != Nation.ENGLAND_AND_WALES:
            raise ValidationError(
                {"holds_duty_to_notify": "The Duty to Notify applies only in England and Wales."}
            )


class AuditEvent(models.Model):
    """One thing someone did or tried. Append-only: the database refuses UPDATE, DELETE and
    TRUNCATE (safeguard/migrations/0003, 0007), and the app's role may only add and read."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        SEARCH = "search", "Searched"
        EXPORT = "export", "Exported"
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"
        DELETE = "delete", "Deleted"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_OUT = "sign_out", "Signed out"
        SIGN_IN_FAILED = "sign_in_failed", "Failed to sign in"
        LOCKOUT = "lockout", "Locked out"
        SESSION_EXPIRED = "session_expired", "Session expired"
        PASSWORD_CHANGED = "password_changed", "Changed password"
        MFA_ADDED = "mfa_added", "Added a sign-in factor"
        MFA_REMOVED = "mfa_removed", "Removed a sign-in factor"
        MFA_RESET = "mfa_reset", "Reset multi-factor authentication"
        MFA_FAILED = "mfa_failed", "Failed a sign-in factor"
        USER_INVITED = "user_invited", "Invited a user"
        USER_DEACTIVATED = "user_deactivated", "Deactivated a user"
        ACCESS_DENIED = "access_denied", "Was refused access"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    reference = models.CharField(
        max_length=64, blank=True, help_text="The record's reference, never a person's name."
    )
    changed_fields = models.JSONField(default=list, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    path = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # "Who has viewed this case": the case page's viewers panel.
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx"),
            # The audit log filtered by user.
            models.Index(fields=["actor", "-at"], name="audit_actor_idx"),
            # The audit log filtered by a record's reference, or a person's (all of theirs).
            models.Index(fields=["reference", "-at"], name="audit_reference_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.reference}".strip()


class Notification(models.Model):
    """A message in someone's in-app list. Says that something needs doing, never who about."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class RateLimitHit(models.Model):
    """One attempt counted against a limit in safeguard.ratelimits: a sign-in to an email
    address, a sign-in from a network address, a second-factor code, a code already used.

    Kept in the database, not the cache, so that lockout holds (and sign-in works) while
    Redis is down. `key` is a keyed hash of the limit and what it counts, so the table holds
    no email address or IP address that a stranger typed or came from. Rows older than the
    longest window are deleted every few minutes (safeguard.tasks.rate_limits_prune).
    """

    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # rate_limit_consume's count: this key's hits since the window opened.
            models.Index(fields=["key", "at"], name="rate_limit_key_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key[:12]} {self.at:%Y-%m-%d %H:%M:%S}"


class Submission(models.Model):
    """A form's POST, claimed once in the transaction that acts on it, and where it led
    (safeguard.submissions). The unique key is what stops a double click or two tabs making two
    records: the session, which another tab or a concurrent request does not see, cannot."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    url = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="submission_once_per_user"),
        ]
        # safeguard.tasks.submissions_forget, once a day.
        indexes = [models.Index(fields=["created_at"], name="submission_created_idx")]

    def __str__(self) -> str:
        return self.key


class Heartbeat(models.Model):
    """When a piece of periodic work last finished (the reminder sweep, safeguard.health).

    In the database, not the cache: /health/ must still say when the sweep last ran while
    Redis is down, which is exactly when it matters. One row per name, moved on by an upsert.
    """

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
