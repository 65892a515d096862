"""Referrals along each pathway, the decisions on them, and the deadlines they start."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from safeguard.choices import Pathway

from .deadlines import (
    DUTY_TIMERS,
    END_EVENTS,
    PERIOD_ACTIONS,
    PERIOD_TIMERS,
    TIMER_LABELS,
    End,
    Stage,
    Timer,
    describe_end,
    describe_period,
    period_has_ended,
)

User = settings.AUTH_USER_MODEL


class CompetentAuthority(models.TextChoices):
    SCA = "sca", "Single Competent Authority"
    IECA = "ieca", "Immigration Enforcement Competent Authority"
    CHILD_PILOT = "child_pilot", "Devolved child decision-making pilot"


class AuthorityRuleManager(models.Manager):
    def get_by_natural_key(self, authority: str) -> "AuthorityRule":
        return self.get(authority=authority)


class AuthorityRule(models.Model):
    """A competent authority's own lengths for the timers it sets (issue 18, item 3): how long
    its Reasonable Grounds decision is expected to take, and how soon after a positive one its
    Conclusive Grounds decision may come. One row per authority, seeded by the migration and
    fixtures/authority_rules.json, changed by administrators only (referrals.admin), never
    deleted. Read through referrals.rules, which lays it over the organisation's settings.

    A change applies to deadlines started afterwards: a deadline keeps the due time it was
    given when it started.
    """

    authority = models.CharField(max_length=12, choices=CompetentAuthority.choices, unique=True)
    rg_working_days = models.PositiveSmallIntegerField(
        "Reasonable Grounds decision expected within (working days after the referral)",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(250)],
    )
    cg_not_before_days = models.PositiveSmallIntegerField(
        "Conclusive Grounds not before (days after a positive Reasonable Grounds decision)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    note = models.CharField(
        "where these lengths come from",
        max_length=300,
        blank=True,
        help_text="For your local panel: what it has agreed, and where (for example its terms "
        'of reference and their date). Shown on the page "How deadlines are counted".',
    )
    # Not auto_now: the reference data loads rows raw, which skips auto_now (referrals.admin
    # sets it on each change).
    updated_at = models.DateTimeField(default=timezone.now)
    # Empty until an administrator saves the row: the lengths are still the seeded defaults.
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = AuthorityRuleManager()
    # Administrators set these: reloading the fixture must not undo that.
    reference_data_keeps_local_edits = True

    class Meta:
        ordering = ["authority"]
        constraints = [
            # A length of 0 would make referrals.deadlines refuse to count the deadline.
            models.CheckConstraint(
                condition=models.Q(rg_working_days__gte=1, cg_not_before_days__gte=1),
                name="authority_rule_lengths_at_least_one",
            ),
        ]
        verbose_name = "competent authority's timers"
        verbose_name_plural = "competent authorities' timers"

    def __str__(self) -> str:
        return self.get_authority_display()

    def natural_key(self) -> tuple[str]:
        return (self.authority,)

    @property
    def audit_reference(self) -> str:
        return self.authority

    @property
    def set_here(self) -> bool:
        """Whether an administrator has saved these lengths (else they are the defaults)."""
        return self.updated_by_id is not None


class Referral(models.Model):
    """One referral of a case along one pathway. Its status moves only through
    `referrals.machines` transitions, each a service in `referrals.services`."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    pathway = models.CharField(max_length=20, choices=Pathway.choices)
    status = models.CharField(max_length=30, default="draft")
    recipient = models.ForeignKey(
        "contacts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    competent_authority = models.CharField(
        max_length=12, choices=CompetentAuthority.choices, blank=True
    )
    external_reference = models.CharField(
        "their reference",
        max_length=60,
        blank=True,
        db_index=True,
        help_text="For an NRM referral, the NRM reference number.",
    )
    summary = models.TextField("what the receiving agency needs to know", blank=True)
    named = models.BooleanField(
        "the person agreed to be named",
        default=False,
        help_text="Duty to Notify only: otherwise the report leaves out who they are.",
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("referrals:detail", args=[self.reference])

    @property
    def audit_reference(self) -> str:
        return self.reference

    @property
    def is_restricted(self) -> bool:
        return self.case.restricted

    @property
    def is_anonymous(self) -> bool:
        """A Duty to Notify for someone who has not agreed to be named: its pack leaves out
        everything that would identify them."""
        return self.pathway == Pathway.DUTY_TO_NOTIFY and not self.named

    @property
    def is_closed(self) -> bool:
        return self.case.is_closed

    def relations_to(self, user):
        return self.case.relations_to(user)


class PoliceCooperation(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "Not sure"


class Consent(models.Model):
    """An adult's answer to an NRM referral, with what they were told first (as the Home
    Office form asks). A refusal says they understood what declining means and why they
    declined: the Duty to Notify route takes over from there."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="consent")
    given = models.BooleanField("they agreed to the referral")
    given_on = models.DateField("date")
    how_explained = models.TextField("how it was explained")
    # What was explained, each its own answer. Empty (None) only on consents recorded before
    # these were asked; the form asks every one.
    explained_nrm = models.BooleanField("the NRM was explained", null=True)
    explained_decisions = models.BooleanField(
        "the Reasonable Grounds and Conclusive Grounds decisions were explained", null=True
    )
    explained_support = models.BooleanField("the support on offer was explained", null=True)
    explained_privacy = models.BooleanField(
        "the privacy notice (how their information is used) was explained", null=True
    )
    explained_in = models.CharField("language it was explained in", max_length=100, blank=True)
    interpreter_used = models.BooleanField(default=False)
    interpreter_language = models.CharField(max_length=100, blank=True)
    interpreter = models.CharField("interpreter (name or agency)", max_length=150, blank=True)
    witnessed_by = models.CharField(max_length=150, blank=True)
    # A refusal.
    understands_no_support = models.BooleanField(
        "they understand that declining means no NRM support and no decision", null=True
    )
    declined_because = models.TextField("why they declined", blank=True)
    police_cooperation = models.CharField(
        "they will co-operate with the police",
        max_length=8,
        choices=PoliceCooperation.choices,
        blank=True,
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # Recorded before the form asked what was explained and, for a refusal, whether they
    # understood it and why they declined: kept as it was (nothing made up, nothing deleted),
    # and shown as asked under the old form. Never set for a new answer.
    recorded_before_questions = models.BooleanField(default=False, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interpreter_used=False) | ~models.Q(interpreter_language=""),
                name="consent_interpreter_has_language",
            ),
            # Informed consent: nobody agrees to a referral that was never explained to them.
            models.CheckConstraint(
                condition=models.Q(given=False) | ~models.Q(explained_nrm=False),
                name="consent_given_after_nrm_explained",
            ),
            models.CheckConstraint(
                condition=models.Q(given=True)
                | models.Q(recorded_before_questions=True)
                | (
                    # NULL would let the check pass (SQL's unknown), so say "not null" too.
                    models.Q(understands_no_support__isnull=False, understands_no_support=True)
                    & ~models.Q(declined_because="")
                    & ~models.Q(police_cooperation="")
                ),
                name="consent_refusal_understood_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent for {self.referral_id}: {'given' if self.given else 'declined'}"

    @property
    def explained(self) -> list[tuple[str, bool | None]]:
        """Each thing the form asks was explained, with the answer (None: not asked)."""
        return [
            ("The NRM", self.explained_nrm),
            ("The Reasonable Grounds and Conclusive Grounds decisions", self.explained_decisions),
            ("The support on offer", self.explained_support),
            ("The privacy notice: how their information is used", self.explained_privacy),
        ]


class SharingWhat(models.TextChoices):
    RECORD = "record", "The referral and the case record"
    HEALTH = "health", "Health information"
    EVIDENCE = "evidence", "Evidence documents"
    CONTACT = "contact", "Their contact details"
    OTHER = "other", "Something else"


class ConsentToShare(models.Model):
    """The sharing register: what the person agreed may be shared, with whom and when, and
    when they withdrew it. About the person, so on the case, not on one referral. Never
    deleted: a withdrawal is recorded on the agreement (referrals.consent)."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="sharing_agreements"
    )
    what = models.CharField("what may be shared", max_length=10, choices=SharingWhat.choices)
    what_other = models.CharField("what else", max_length=200, blank=True)
    organisation = models.ForeignKey(
        "contacts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation_name = models.CharField(
        "with whom (not in the directory)", max_length=200, blank=True
    )
    agreed_on = models.DateField("date they agreed")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_on = models.DateField("date they withdrew it", null=True, blank=True)
    withdrawn_note = models.TextField(blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agreed_on", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(organisation__isnull=False) & models.Q(organisation_name=""))
                | (models.Q(organisation__isnull=True) & ~models.Q(organisation_name="")),
                name="sharing_with_one_organisation",
            ),
            models.CheckConstraint(
                condition=~models.Q(what="other") | ~models.Q(what_other=""),
                name="sharing_other_says_what",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | models.Q(withdrawn_on__gte=models.F("agreed_on")),
                name="sharing_withdrawn_after_agreed",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True, withdrawn_recorded_by__isnull=True)
                | models.Q(withdrawn_on__isnull=False, withdrawn_recorded_by__isnull=False),
                name="sharing_withdrawal_says_who",
            ),
            # One current agreement for the same thing with the same organisation: a second
            # would make a withdrawal leave the other standing unnoticed.
            models.UniqueConstraint(
                fields=["case", "organisation", "what", "what_other"],
                condition=models.Q(withdrawn_on__isnull=True, organisation__isnull=False),
                name="one_current_sharing_agreement",
            ),
            models.UniqueConstraint(
                fields=["case", "organisation_name", "what", "what_other"],
                condition=models.Q(withdrawn_on__isnull=True, organisation__isnull=True),
                name="one_current_sharing_agreement_by_name",
            ),
        ]

    def __str__(self) -> str:
        return f"Sharing {self.what} on case {self.case_id}"

    @property
    def audit_reference(self) -> str:
        return self.case.reference

    @property
    def with_whom(self) -> str:
        return self.organisation.name if self.organisation_id else self.organisation_name

    @property
    def what_text(self) -> str:
        return self.what_other if self.what == SharingWhat.OTHER else self.get_what_display()

    @property
    def is_current(self) -> bool:
        return self.withdrawn_on is None


class Decision(models.Model):
    class Kind(models.TextChoices):
        RG = "rg", "Reasonable Grounds"
        CG = "cg", "Conclusive Grounds"
        RECONSIDERATION = "reconsideration", "Reconsideration"
        # Nationality and Borders Act 2022 s.63: the person is disqualified from protection.
        DISQUALIFICATION = "disqualification", "Public order disqualification"

    class Outcome(models.TextChoices):
        POSITIVE = "positive", "Positive"
        NEGATIVE = "negative", "Negative"
        DISQUALIFIED = "disqualified", "Disqualified"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    received_on = models.DateField("date received")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    # A further or revised decision names the one it supersedes (the latest earlier decision
    # of its kind); that one stays, shown as revised. Empty for every decision recorded
    # before revisions were, which keeps their meaning: none of them was a revision.
    revises = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revised_by",
        help_text="The earlier decision this further or revised decision supersedes.",
    )

    class Meta:
        ordering = ["received_on", "recorded_at"]
        constraints = [
            # A disqualification is a decision with its reasons: never recorded without them.
            models.CheckConstraint(
                condition=~models.Q(kind="disqualification")
                | (models.Q(outcome="disqualified") & ~models.Q(note="")),
                name="decision_disqualification_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="disqualified", kind="disqualification")
                | ~models.Q(outcome="disqualified"),
                name="decision_disqualified_only_by_disqualification",
            ),
            # Only an RG or CG decision is revised, and by one of its own kind (the service
            # picks the earlier one; the OneToOne makes a double submit revise it only once).
            models.CheckConstraint(
                condition=models.Q(revises__isnull=True) | models.Q(kind__in=["rg", "cg"]),
                name="decision_revision_is_rg_or_cg",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.DISQUALIFICATION:
            return self.get_kind_display()
        revised = "Revised " if self.revises_id else ""
        return f"{revised}{self.get_kind_display()} {self.get_outcome_display().lower()}"

    @property
    def is_superseded(self) -> bool:
        """A later further or revised decision replaces this one for what the case shows."""
        try:
            return self.revised_by is not None
        except Decision.DoesNotExist:
            return False


class Transition(models.Model):
    """Who moved a referral from one status to another, when, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="transitions")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=30)
    to_status = models.CharField(max_length=30)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


# Deadlines someone must meet by a time: the only ones that can be overdue (issue 18, item 6).
# A support period ends; a "not before" marker allows.
DUTIES = models.Q(timer__in=sorted(DUTY_TIMERS))
PERIODS = models.Q(timer__in=sorted(PERIOD_TIMERS))


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(satisfied_at__isnull=True, cancelled_at__isnull=True)

    def duties(self):
        return self.filter(DUTIES)


class Deadline(models.Model):
    """A due time as a row: started and satisfied by transitions, read by the reminder sweep."""

    timer = models.CharField(max_length=20, choices=[(t.value, TIMER_LABELS[t]) for t in Timer])
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    concern = models.ForeignKey(
        "cases.Concern", null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    # A support task's target date (Timer.SUPPORT_TASK): the task it reminds of. Removing the
    # task cancels the deadline first (referrals.services.support_task_sync) and keeps it.
    support_need = models.ForeignKey(
        "cases.SupportNeed",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deadlines",
    )
    # A deadline that belongs to neither a case nor a concern (a subject access request, which
    # is about a person and answers for all their records): the reference of the record it
    # belongs to, for its reminders and links (`owners.register`), and the team whose managers
    # its overdue reminders are copied to. Empty for every other deadline.
    owner_reference = models.CharField(max_length=20, blank=True)
    team = models.ForeignKey(
        "safeguard.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # The competent authority whose rule (AuthorityRule) gave its length when it started;
    # empty where the organisation's own settings did (every deadline started before issue 18,
    # item 3, and every timer a competent authority does not set).
    authority = models.CharField(
        max_length=12, choices=CompetentAuthority.choices, blank=True, editable=False
    )
    # A "not before" timer (CG) marks the earliest moment, not a duty: never overdue.
    is_earliest = models.BooleanField(default=False)
    # A period's end condition (referrals.deadlines.End), copied from the organisation's rule
    # when it started: due_at is its counted day, event_at when the ending event came.
    end_condition = models.CharField(
        max_length=8, choices=[(e.value, e.value) for e in End], default=End.FIXED
    )
    event_at = models.DateTimeField(null=True, blank=True)
    satisfied_at = models.DateTimeField(null=True, blank=True)
    satisfied_by = models.CharField(max_length=100, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Why it stopped unmet, where something other than its referral's steps stopped it (a
    # case closed: "Case closed: <reason>"). Empty for every deadline cancelled before.
    cancelled_reason = models.TextField(blank=True)
    extended_reason = models.TextField(blank=True)
    # The due time it had before its first extension, shown as "extended from ...". Empty
    # for a deadline never extended, and for recovery periods extended before this was kept
    # (their due_at is unchanged; only the earlier day was not recorded).
    extended_from = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deadlines",
        help_text="Who chases it: the case lead unless reassigned.",
    )
    # The next reminder (referrals.deadlines.first_reminder / reminder_after): the sweep
    # picks rows whose time has come and moves these on in the same transaction.
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    next_stage = models.CharField(
        max_length=8, choices=[(s.value, s.value) for s in Stage], blank=True
    )
    next_sequence = models.PositiveSmallIntegerField(default=0)
    # The due time while the deadline is open, else nothing: kept by the database. The
    # overdue lists filter on it, so that PostgreSQL's statistics describe open deadlines
    # only; on due_at they mostly describe the million met long ago, and the planner
    # expects ten times the rows the overdue view really has, and hashes whole tables.
    open_due_at = models.GeneratedField(
        expression=models.Case(
            models.When(
                models.Q(satisfied_at__isnull=True, cancelled_at__isnull=True),
                then=models.F("due_at"),
            )
        ),
        output_field=models.DateTimeField(null=True),
        db_persist=True,
    )

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        constraints = [
            # An extension says why, and moves the due time on, never back.
            models.CheckConstraint(
                condition=models.Q(extended_from__isnull=True)
                | (~models.Q(extended_reason="") & models.Q(due_at__gt=models.F("extended_from"))),
                name="deadline_extension_has_reason_and_moves_on",
            ),
            # A deadline of its own record has someone to chase it and a team to escalate to.
            models.CheckConstraint(
                condition=models.Q(owner_reference="")
                | models.Q(team__isnull=False, assignee__isnull=False),
                name="deadline_owned_has_team_and_assignee",
            ),
            # One guardian referral clock per child's case, however many Children's Services
            # and NRM referrals start at once (referrals.services._guardian_clock_start).
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(timer="guardian_referral"),
                name="one_guardian_clock_per_case",
            ),
        ]
        indexes = [
            # The overdue view and the lead's list: open deadlines by due time.
            models.Index(
                fields=["due_at"],
                name="deadline_open_due_idx",
                condition=models.Q(satisfied_at__isnull=True, cancelled_at__isnull=True),
            ),
            models.Index(
                fields=["open_due_at"],
                name="deadline_open_due_at_idx",
                condition=models.Q(open_due_at__isnull=False),
            ),
            # A case's next deadline (the lead's home page, cases_led_with_next_due), and the
            # open deadlines of the cases a lead chases (with their "not before" markers).
            models.Index(
                fields=["case", "is_earliest", "due_at"],
                name="deadline_case_open_idx",
                condition=models.Q(satisfied_at__isnull=True, cancelled_at__isnull=True),
            ),
            # The deadlines a user chases (referrals.selectors._chased_ids), each part by its
            # own index: open ones by assignee; and the clocks of concerns not yet in a case.
            models.Index(
                fields=["assignee", "due_at"],
                name="deadline_open_assignee_idx",
                condition=models.Q(satisfied_at__isnull=True, cancelled_at__isnull=True),
            ),
            models.Index(
                fields=["concern"],
                name="deadline_open_caseless_idx",
                condition=models.Q(
                    satisfied_at__isnull=True, cancelled_at__isnull=True, case__isnull=True
                ),
            ),
            # Statistics (dashboards.statistics): a timer's clocks stopped within a period.
            models.Index(fields=["timer", "satisfied_at"], name="deadline_timer_met_idx"),
            # The reminder sweep (referrals.tasks.sweep): open deadlines whose reminder is due.
            models.Index(
                fields=["next_reminder_at"],
                name="deadline_reminder_due_idx",
                condition=models.Q(
                    satisfied_at__isnull=True,
                    cancelled_at__isnull=True,
                    next_reminder_at__isnull=False,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_timer_display()} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.satisfied_at is None and self.cancelled_at is None

    @property
    def reference(self) -> str:
        """The reference of the record it belongs to: its case, concern or own record."""
        if self.case_id:
            return self.case.reference
        if self.concern_id:
            return self.concern.reference
        return self.owner_reference

    @property
    def is_period(self) -> bool:
        return self.timer in PERIOD_TIMERS

    def is_overdue(self, now=None) -> bool:
        """Only a duty is ever overdue: a period that has ended is not late."""
        return (
            self.is_open
            and self.timer in DUTY_TIMERS
            and not self.is_earliest
            and self.due_at < (now or timezone.now())
        )

    def has_ended(self, now=None) -> bool:
        return self.is_period and period_has_ended(
            self.end_condition, self.due_at, now or timezone.now(), self.event_at
        )

    @property
    def end_text(self) -> str:
        """A period's end condition in words ("at least until ..., and until the CG
        decision"); empty for anything else."""
        if not self.is_period:
            return ""
        return describe_end(self.end_condition, self.due_at, END_EVENTS.get(self.timer, ""))

    def period_text(self, now=None) -> str:
        return describe_period(
            self.end_condition,
            self.due_at,
            now or timezone.now(),
            self.event_at,
            END_EVENTS.get(self.timer, ""),
        )

    @property
    def action(self) -> str:
        """What the lead must do before and at a period's end."""
        return PERIOD_ACTIONS.get(self.timer, "")


class Reminder(models.Model):
    """The outbox: one row per reminder, unique per deadline, stage, sequence and recipient,
    written with the sweep's claim and sent after commit by `referrals.tasks.send_reminder`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not needed: the deadline was met"

    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="reminders")
    stage = models.CharField(max_length=8, choices=[(s.value, s.value) for s in Stage])
    sequence = models.PositiveSmallIntegerField(default=0)
    recipient = models.ForeignKey(User, on_delete=models.PROTECT, related_name="reminders")
    is_copy = models.BooleanField(default=False, help_text="Sent to the manager as escalation.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text="When the retry after a failed send is due."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "stage", "sequence", "recipient"],
                name="one_reminder_per_stage_and_recipient",
            ),
        ]
        indexes = [
            # The sweep's catch-up: reminders never queued, or abandoned by a dead worker.
            models.Index(
                fields=["created_at"],
                name="reminder_unsent_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} {self.stage} {self.sequence} to {self.recipient_id}"


class DigestSent(models.Model):
    """One daily digest per manager per day, however often the task runs."""

    manager = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["manager", "day"], name="one_digest_a_day")]

    def __str__(self) -> str:
        return f"{self.manager_id} {self.day}"
