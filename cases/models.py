"""People, concerns about them, and the safeguarding cases leads open from concerns."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from safeguard import dates
from safeguard.access import Relation
from safeguard.dates import When
from safeguard.storage import private_storage

User = settings.AUTH_USER_MODEL


# --- Reference data (fixtures/indicators.json, fixtures/exploitation_types.json) -------------


# The timer of the Deadline rows `referrals` keeps for a concern's referral clock
# (referrals.deadlines.Timer.REFER; cases may not import referrals, a test holds them equal).
REFER_TIMER = "refer"


class AppliesTo(models.TextChoices):
    ADULTS = "adults", "Adults"
    CHILDREN = "children", "Children"
    BOTH = "both", "Adults and children"


class IndicatorGroup(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    PSYCHOLOGICAL = "psychological", "Psychological"
    SEXUAL_HEALTH = "sexual_health", "Sexual health"
    SITUATIONAL = "situational", "Situational and environmental"
    FORCED_LABOUR = "forced_labour", "Forced labour (ILO indicators)"
    CHILD = "child", "Child-specific"


class ReferenceQuerySet(models.QuerySet):
    def current(self):
        return self.filter(retired=False)


class ReferenceManager(models.Manager.from_queryset(ReferenceQuerySet)):
    """Rows keyed by `code`, so that loading a fixture again updates them in place."""

    def get_by_natural_key(self, code: str):
        return self.get(code=code)


class Indicator(models.Model):
    """A sign that someone may be trafficked or exploited. Retired, never deleted."""

    code = models.SlugField(max_length=40, unique=True)
    group = models.CharField(max_length=20, choices=IndicatorGroup.choices)
    text = models.CharField(max_length=300)
    applies_to = models.CharField(max_length=10, choices=AppliesTo.choices, default=AppliesTo.BOTH)
    source = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    retired = models.BooleanField(
        default=False, help_text="No longer asked; answers already given stay readable."
    )

    objects = ReferenceManager()
    # Administrators edit and retire indicators: reloading the fixture must not undo that.
    reference_data_keeps_local_edits = True

    class Meta:
        ordering = ["group", "order", "code"]

    def __str__(self) -> str:
        return self.text

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class ExploitationType(models.Model):
    """As the NRM statistics count them. More than one may apply to a concern."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)
    retired = models.BooleanField(default=False)

    objects = ReferenceManager()
    reference_data_keeps_local_edits = True

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


# --- People ----------------------------------------------------------------------------------


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Another gender"
    UNKNOWN = "unknown", "Not known"


class Person(models.Model):
    """Someone a concern is about. May have no name yet ("unnamed person")."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    name = models.CharField("name", max_length=200, blank=True)
    aliases = models.CharField(
        max_length=300, blank=True, help_text="Other names or spellings, separated by commas."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(null=True, blank=True)
    # Recorded with the concern: whether their age was in question. Never cleared: a dispute is
    # settled only by recording an age assessment (referrals.services.age_dispute_settle),
    # which sets the three fields below together.
    age_disputed = models.BooleanField(default=False)
    age_settled_as = models.CharField(
        "age settled as", max_length=5, choices=[("adult", "Adult"), ("child", "Child")], blank=True
    )
    age_settled_on = models.DateField(null=True, blank=True)
    assessed_date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    nationalities = models.CharField(max_length=200, blank=True)
    languages = models.CharField(max_length=200, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    interpreter_language = models.CharField(max_length=100, blank=True)
    safe_contact = models.TextField(
        "safe ways to contact them",
        blank=True,
        help_text="How to reach them without putting them at risk.",
    )
    distinguishing_features = models.TextField(blank=True)
    photo = models.FileField(upload_to="photos/", blank=True, storage=private_storage)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Settled means settled on a day, as adult or child; a child's settlement gives the
            # date of birth they are taken to have, so that they turn 18 on a known day.
            models.CheckConstraint(
                condition=(models.Q(age_settled_as="") & models.Q(age_settled_on__isnull=True))
                | (
                    models.Q(age_settled_as="adult", age_settled_on__isnull=False)
                    | models.Q(
                        age_settled_as="child",
                        age_settled_on__isnull=False,
                        assessed_date_of_birth__isnull=False,
                    )
                ),
                name="person_age_settled_whole",
            ),
        ]
        indexes = [
            # Search matches a reference whatever its case (iexact: UPPER(reference) = UPPER(%s)
            # on PostgreSQL). The names' trigram indexes are PostgreSQL-only: cases 0011.
            models.Index(Upper("reference"), name="person_reference_upper_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self):
        dates.check(date_of_birth=(self.date_of_birth, When.HAPPENED))

    @property
    def display_name(self) -> str:
        return self.name or f"Unnamed person {self.reference}"

    @property
    def audit_reference(self) -> str:
        return self.reference

    def age_on(self, day: dt.date) -> int | None:
        # An age assessment's date of birth is the one agencies go by once it is recorded.
        dob = self.assessed_date_of_birth or self.date_of_birth
        if dob:
            return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
        return self.estimated_age

    def actions_for(self, user) -> frozenset:
        """What `user` may do with this person: what any of their concerns or cases allows.
        A record merged into another has none of its own: it answers for the survivor."""
        from safeguard.access import actions_on

        merge = PersonMerge.objects.filter(merged=self).select_related("survivor").first()
        if merge is not None:
            return merge.survivor.actions_for(user)
        actions: frozenset = frozenset()
        for record in [*self.concerns.select_related("case"), *self.cases.all()]:
            actions |= actions_on(user, record)
        return actions

    @property
    def age_dispute_open(self) -> bool:
        """Their age was disputed and no age assessment has settled it yet."""
        return self.age_disputed and not self.age_settled_as

    @property
    def age_settled_text(self) -> str:
        """The settlement, to go within a sentence ("settled as an adult by an age assessment
        on 20 November 2026"), or nothing while unsettled."""
        if not self.age_settled_as:
            return ""
        outcome = "an adult" if self.age_settled_as == "adult" else "a child"
        return f"settled as {outcome} by an age assessment on {self.age_settled_on:%-d %B %Y}"

    def may_be_child(self, day: dt.date | None = None) -> bool:
        """Treated as a child until age is settled: under 18, age disputed, or age unknown
        (Modern Slavery Act 2015 s.51; the Scottish Act s.12; the Northern Ireland Act s.25(3)).
        Once an assessment settles it, as adult, or as a child until their assessed 18th
        birthday."""
        if self.age_settled_as == "adult":
            return False
        age = self.age_on(day or timezone.localdate())
        if self.age_settled_as == "child":
            return age is not None and age < 18
        return self.age_disputed or age is None or age < 18


class AgeMethod(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Age assessment by the local authority (Merton-compliant)"
    NATIONAL = (
        "national",
        "Age assessment by the Home Office (Nationality and Borders Act 2022, s.50 or s.51)",
    )
    DOCUMENTS = "documents", "Genuine documents establishing their age"
    COURT = "court", "Decision of a court or tribunal"
    OTHER = "other", "Another way"


class AgeAssessment(models.Model):
    """How a dispute about someone's age was settled: when, how, by whom, and the outcome.
    Recorded by referrals.services.age_dispute_settle, which only ever adds one: a later
    assessment (a court's, say) is recorded as another, and the latest settles it."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="age_assessments")
    assessed_on = models.DateField("date of the assessment")
    method = models.CharField("how it was settled", max_length=16, choices=AgeMethod.choices)
    assessed_by = models.CharField("who assessed it", max_length=200)
    outcome = models.CharField(max_length=5, choices=[("adult", "Adult"), ("child", "Child")])
    assessed_date_of_birth = models.DateField("assessed date of birth", null=True, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-recorded_at"]
        constraints = [
            # A double submit, or two leads at once, records one assessment.
            models.UniqueConstraint(
                fields=["person", "assessed_on", "outcome"], name="one_age_assessment_a_day"
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="child")
                | models.Q(assessed_date_of_birth__isnull=False),
                name="age_assessment_child_has_date_of_birth",
            ),
            models.CheckConstraint(
                condition=models.Q(assessed_date_of_birth__isnull=True)
                | models.Q(assessed_date_of_birth__lte=models.F("assessed_on")),
                name="age_assessment_born_before_it",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.outcome} on {self.assessed_on}"


class PersonMerge(models.Model):
    """Two records found to be one person: the merged one's concerns and cases (and so their
    links) moved to the survivor. The merged row stays as a tombstone, so that its reference
    in the audit trail, in papers already sent and in people's notes still leads somewhere.
    A record is merged once (one-to-one); the survivor can itself be merged later."""

    merged = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="merged_into")
    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merged_from")
    merged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(merged=models.F("survivor")), name="person_merge_not_itself"
            )
        ]

    def __str__(self) -> str:
        return f"{self.merged.reference} into {self.survivor.reference}"


# --- Concerns --------------------------------------------------------------------------------


class Setting(models.TextChoices):
    HOSPITAL = "hospital", "Hospital or clinic"
    GP = "gp", "GP surgery"
    HOTEL = "hotel", "Hotel or short-let"
    SCHOOL = "school", "School or college"
    HOME_VISIT = "home_visit", "Home visit"
    HOUSING = "housing", "Housing office or hostel"
    STREET = "street", "Street or outreach"
    WORKPLACE = "workplace", "Workplace"
    TRANSPORT = "transport", "Transport or station"
    PHONE = "phone", "Phone or online"
    OTHER = "other", "Somewhere else"


class ConcernStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for triage"
    NO_FURTHER_ACTION = "nfa", "No further action"
    SIGNPOSTED = "signposted", "Signposted"
    CASE = "case", "In a case"


class TriageOutcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    SIGNPOSTED = "signposted", "Signpost to a service"
    NEW_CASE = "new_case", "Open a new case"
    EXISTING_CASE = "existing_case", "Add to an existing case"


class Concern(models.Model):
    """What a practitioner saw, heard or was told. Immutable once submitted: see Addendum."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="concerns")
    reporter = models.ForeignKey(User, on_delete=models.PROTECT, related_name="concerns")
    team = models.ForeignKey("safeguard.Team", on_delete=models.PROTECT, related_name="concerns")
    status = models.CharField(
        max_length=12, choices=ConcernStatus.choices, default=ConcernStatus.SUBMITTED
    )
    immediate_danger = models.BooleanField(default=False)
    called_999_at = models.DateTimeField(null=True, blank=True)
    observed_at = models.DateTimeField("when it was observed")
    location = models.CharField("where", max_length=200)
    setting = models.CharField(max_length=12, choices=Setting.choices)
    observer_account = models.TextField("what you saw, heard or were told")
    persons_words = models.TextField("the person's own words", blank=True)
    accompanied_by = models.TextField("who was with them", blank=True)
    exploitation_types = models.ManyToManyField(ExploitationType, blank=True)
    county_lines = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Triage (a lead's decision; the concern's own content never changes).
    triaged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    triage_reason = models.TextField(blank=True)
    signposted_to = models.ForeignKey(
        "contacts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "Case", null=True, blank=True, on_delete=models.PROTECT, related_name="concerns"
    )

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            # The triage queue: waiting concerns, oldest first.
            models.Index(
                fields=["submitted_at"],
                name="concern_waiting_idx",
                condition=models.Q(status="submitted"),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("cases:concern_detail", args=[self.reference])

    def clean(self):
        dates.check(observed_at=(self.observed_at, When.HAPPENED))

    @property
    def audit_reference(self) -> str:
        return self.reference

    @property
    def identified_at(self) -> dt.datetime:
        """When the person was identified as a potential victim: the referral clock starts."""
        return self.observed_at

    @cached_property
    def refer_due_at(self) -> dt.datetime | None:
        """When the referral is due: the refer deadline's own time, as `referrals` started it
        from the organisation's length (lists annotate it instead: `selectors.with_refer_due`).
        None for a concern whose clock was never started."""
        return (
            self.deadlines.filter(timer=REFER_TIMER)
            .order_by("due_at")
            .values_list("due_at", flat=True)
            .first()
        )

    @property
    def is_restricted(self) -> bool:
        return bool(self.case_id and self.case.restricted)

    @property
    def is_closed(self) -> bool:
        # A concern of a closed case is part of a closed record: addenda go to it no more.
        return bool(self.case_id and self.case.status == CaseStatus.CLOSED)

    def relations_to(self, user) -> set[Relation]:
        relations = set()
        if self.reporter_id == user.pk:
            relations.add(Relation.REPORTER)
        if self.case_id:
            relations |= self.case.relations_to(user)
        elif user.teams.filter(pk=self.team_id).exists():
            relations.add(Relation.TEAM_MEMBER)
        if user.is_authenticated:
            relations.add(Relation.ORGANISATION)
        return relations


class Answer(models.TextChoices):
    OBSERVED = "observed", "Seen"
    NOT_OBSERVED = "not_observed", "Not seen"
    UNSURE = "unsure", "Not sure"


class IndicatorObservation(models.Model):
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="observations")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=12, choices=Answer.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "indicator"], name="one_answer_per_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.answer}"


class Addendum(models.Model):
    """A correction or addition to a submitted concern, signed and timed."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum {self.pk} to concern {self.concern_id}"


class ReporterStage(models.TextChoices):
    """What the person who raised a concern may hear of it: the stage, never its content.
    In the order a concern usually passes through them."""

    TRIAGED = "triaged", "Looked at by the safeguarding team"
    CASE_OPENED = "case_opened", "Taken on as a case"
    REFERRED = "referred", "Referred to another service"
    CLOSED = "closed", "The team's work has finished"


class ReporterUpdate(models.Model):
    """A stage of a concern that its reporter has been told of (cases.updates): one row per
    concern and stage, made with its in-app notification, so a double submit, two workers, a
    merge or a case closed twice cannot tell them twice."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="updates")
    stage = models.CharField(max_length=12, choices=ReporterStage.choices)
    at = models.DateTimeField(default=timezone.now)
    notification = models.OneToOneField(
        "safeguard.Notification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reporter_update",
    )

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["concern", "stage"], name="one_update_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.concern_id}: {self.stage}"


class LinkKind(models.TextChoices):
    VEHICLE = "vehicle", "Vehicle"
    ADDRESS = "address", "Address"
    PHONE = "phone", "Phone number"
    EXPLOITER = "exploiter", "Suspected exploiter"


class ConcernLink(models.Model):
    """A detail two reports may share: "similar reports" match on `normalised`."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    value = models.CharField(max_length=300)
    normalised = models.CharField(max_length=300, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "normalised"], name="concern_link_match_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.normalised}"


class ConcernDraft(models.Model):
    """Work in progress on a concern, saved on the server as it is typed."""

    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="concern_drafts")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    # --- Cases -----------------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"Draft {self.pk}"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class RiskLevel(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class CaseQuerySet(models.QuerySet):
    def for_relations(self, user):
        """Each case with what `relations_to(user)` asks, in the query that fetches it: whether
        `user` is named on it and whether it is in one of their teams (access.get_for_user
        asks for this, so that a case's pages spend no query a relation)."""
        members = self.model.members.through.objects.filter(
            case=models.OuterRef("pk"), user=user.pk
        )
        user_model = self.model._meta.get_field("lead").related_model
        teams = user_model.teams.through.objects.filter(team=models.OuterRef("team"), user=user.pk)
        return self.annotate(
            relations_user=models.Value(user.pk, output_field=models.IntegerField()),
            user_named=models.Exists(members),
            user_in_team=models.Exists(teams),
        )


class Case(models.Model):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey("safeguard.Team", on_delete=models.PROTECT, related_name="cases")
    lead = models.ForeignKey(User, on_delete=models.PROTECT, related_name="led_cases")
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    risk_level = models.CharField(
        max_length=14, choices=RiskLevel.choices, default=RiskLevel.NOT_ASSESSED
    )
    restricted = models.BooleanField(
        default=False, help_text="Only the lead and named members may see it."
    )
    members = models.ManyToManyField(User, blank=True, related_name="member_cases")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            # Search matches a case reference whatever its case (cases.selectors.search).
            models.Index(Upper("reference"), name="case_reference_upper_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.reference])

    @property
    def audit_reference(self) -> str:
        return self.reference

    @property
    def is_restricted(self) -> bool:
        return self.restricted

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED

    def relations_to(self, user) -> set[Relation]:
        relations = set()
        known = getattr(self, "relations_user", None) == user.pk and user.pk is not None
        if self.lead_id == user.pk:
            relations.add(Relation.CASE_LEAD)
        if self.user_named if known else any(m.pk == user.pk for m in self.members.all()):
            relations.add(Relation.NAMED_MEMBER)
        if self.user_in_team if known else user.teams.filter(pk=self.team_id).exists():
            relations.add(Relation.TEAM_MEMBER)
        if user.is_authenticated:
            relations.add(Relation.ORGANISATION)
        return relations


class ChronologyEntry(models.Model):
    """One line of a case's chronology: an event the app recorded, or a note someone wrote."""

    class Kind(models.TextChoices):
        EVENT = "event", "Event"
        NOTE = "note", "Note"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="chronology")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=6, choices=Kind.choices)
    author = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "chronology entries"

    def __str__(self) -> str:
        return self.title


class SupportDomain(models.TextChoices):
    SAFETY = "safety", "Safety"
    ACCOMMODATION = "accommodation", "Accommodation"
    INCOME = "income", "Income and benefits"
    EMOTIONAL = "emotional", "Emotional support and counselling"
    HEALTH = "health", "Health, including pregnancy"
    LEGAL = "legal", "Legal and immigration advice"
    LANGUAGE = "language", "Language"
    ISOLATION = "isolation", "Isolation"
    POLICE_TRUST = "police_trust", "Trust in the police"
    RISK_REDUCTION = "risk_reduction", "Reducing risk"


class SupportNeed(models.Model):
    """One task of the support plan: what the person needs, who does it (one of the team, or
    an outside agency from the directory), by when, and how far it has got. Its target date
    is reminded like a deadline (referrals.receivers keeps a Deadline row in step)."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        BLOCKED = "blocked", "Blocked"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_needs")
    domain = models.CharField(max_length=14, choices=SupportDomain.choices)
    need = models.CharField(max_length=300)
    action = models.CharField(max_length=300, blank=True)
    # Who will do it, as typed before owners were chosen from the team or the directory: kept
    # as it was (a migration cannot tell a person's name from an agency's), shown until an
    # owner is chosen.
    owner = models.CharField(max_length=150, blank=True, help_text="Who will do it.")
    owner_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="support_tasks"
    )
    owner_organisation = models.ForeignKey(
        "contacts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_tasks",
    )
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    blocked_reason = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # An item of the usual starting plan (STARTING_PLAN): added once a case, however often
    # the button is pressed. Empty for needs a lead wrote.
    code = models.CharField(max_length=30, blank=True, editable=False)
    # Raised by every save: a row edited by someone else since the page was opened is not
    # overwritten (cases.services.support_plan_save).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["domain", "target_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_user__isnull=True)
                | models.Q(owner_organisation__isnull=True),
                name="support_need_one_owner_at_most",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="blocked") | ~models.Q(blocked_reason=""),
                name="support_need_blocked_has_reason",
            ),
            models.UniqueConstraint(
                fields=["case", "code"],
                condition=~models.Q(code=""),
                name="support_need_starting_item_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.need}"

    @property
    def owner_name(self) -> str:
        if self.owner_user_id:
            return self.owner_user.full_name
        if self.owner_organisation_id:
            return self.owner_organisation.name
        return self.owner

    @property
    def is_open(self) -> bool:
        """Still to be done: what the closing checks and the reminders care about."""
        return self.status != self.Status.DONE

    def clean(self):
        errors = {}
        try:
            dates.check(target_date=(self.target_date, When.PLANNED))
        except ValidationError as error:
            errors.update(error.message_dict)
        if self.owner_user_id and self.owner_organisation_id:
            errors["owner_user"] = "Choose one owner: a person in your team or an agency"
        if (
            self.status == self.Status.IN_PROGRESS
            and not self.owner_user_id
            and not self.owner_organisation_id
        ):
            errors["owner_user"] = "Choose who is doing it: a person in your team or an agency"
        if self.status == self.Status.BLOCKED and not self.blocked_reason.strip():
            errors["blocked_reason"] = "Enter what is holding it up"
        if errors:
            raise ValidationError(errors)


# The usual starting plan (seed 004, Miss G's support plan): its five areas and the items that
# reduce risk, as (code, area, what they need). Codes are stored; never change one.
STARTING_PLAN: tuple[tuple[str, str, str], ...] = (
    ("safety", SupportDomain.SAFETY, "Feel safe where they live and when they go out"),
    ("income", SupportDomain.INCOME, "Have money to live on: benefits or other income"),
    ("emotional", SupportDomain.EMOTIONAL, "Emotional support, counselling if they want it"),
    ("health", SupportDomain.HEALTH, "Registered with a GP; health needs looked after"),
    ("legal", SupportDomain.LEGAL, "Advice on immigration and their legal situation"),
    ("rr_aim", SupportDomain.RISK_REDUCTION, "Understands what this service is for"),
    ("rr_rights", SupportDomain.RISK_REDUCTION, "Knows their rights in the UK"),
    ("rr_services", SupportDomain.RISK_REDUCTION, "Knows the other services they can use"),
    (
        "rr_police",
        SupportDomain.RISK_REDUCTION,
        "Has talked through any worries about the police",
    ),
)


class PlanAgreement(models.Model):
    """The person's own say on their support plan, as recorded by a worker. Each record is
    kept; the latest is what stands."""

    class Outcome(models.TextChoices):
        AGREED = "agreed", "Agreed to the plan"
        DECLINED = "declined", "Did not agree"

    class How(models.TextChoices):
        OWN_WORDS = "own_words", "In their own words"
        INTERPRETER = "interpreter", "With an interpreter"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plan_agreements")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    on = models.DateField("on")
    how = models.CharField(max_length=11, choices=How.choices, blank=True)
    reason = models.TextField("why not", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="agreed") | ~models.Q(how=""),
                name="plan_agreement_says_how",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="declined") | ~models.Q(reason=""),
                name="plan_agreement_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.on:%Y-%m-%d})"

    def clean(self):
        dates.check(on=(self.on, When.HAPPENED))
        if self.outcome == self.Outcome.AGREED and not self.how:
            raise ValidationError({"how": "Select how they agreed"})
        if self.outcome == self.Outcome.DECLINED and not self.reason.strip():
            raise ValidationError({"reason": "Enter why they did not agree"})


class RiskAssessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="risk_assessments")
    assessed_at = models.DateTimeField(default=timezone.now)
    assessed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=14, choices=RiskLevel.choices)
    community_safe = models.BooleanField(
        "the local community is safe for them", null=True, blank=True
    )
    family_risk = models.BooleanField("family or friends are a risk", null=True, blank=True)
    public_funds = models.BooleanField("they have access to public funds", null=True, blank=True)
    summary = models.TextField()
    review_on = models.DateField("review by")

    class Meta:
        ordering = ["-assessed_at"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.assessed_at:%Y-%m-%d})"

    def clean(self):
        dates.check(review_on=(self.review_on, When.PLANNED))


def support_needs_not_done(needs):
    """The needs of `needs` (a queryset) that are not done: the one reading of "done" that the
    overview and the closing checks share."""
    return needs.exclude(status=SupportNeed.Status.DONE)


class ClosingCheck(models.TextChoices):
    """What closing a case checks (cases.closing): each is met, or overridden with a reason."""

    OPEN_REFERRALS = "open_referrals", "Referrals are finished"
    RUNNING_DEADLINES = "running_deadlines", "No deadlines are running"
    SUPPORT_NEEDS = "support_needs", "Support needs are done"
    RISK_REDUCED = "risk_reduced", "Risk has fallen since the first assessment"
    AGENCIES_TOLD = "agencies_told", "The agencies involved have been told"
    SAFETY_PLAN = "safety_plan", "The safety plan has been reviewed"
    PAPERS = "papers", "Their papers are complete"
    SIGNPOSTED = "signposted", "They are signposted for what remains"


class CaseClosure(models.Model):
    """One closing of a case: who, when, why, what was stopped, and its reopening if any."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="closures")
    closed_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    signposted_to = models.TextField(blank=True)
    # What the apps above stopped at closing (a deadline's label and due time, its record's
    # reference), kept as words: what the reopening page lists as possibly needing a restart.
    stopped = models.JSONField(default=list, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopen_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-closed_at", "-id"]
        constraints = [
            # A case is closed at most once at a time: two leads at once make one closure.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(reopened_at__isnull=True),
                name="one_current_closure_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"Closure of {self.case_id} on {self.closed_at:%Y-%m-%d}"


class CaseClosureCheck(models.Model):
    """A closing check as it stood when the case was closed: met, or overridden and why."""

    closure = models.ForeignKey(CaseClosure, on_delete=models.CASCADE, related_name="checks")
    code = models.CharField(max_length=20, choices=ClosingCheck.choices)
    met = models.BooleanField()
    detail = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["closure", "code"], name="one_row_per_closing_check"),
            models.CheckConstraint(
                condition=models.Q(met=True) | ~models.Q(override_reason=""),
                name="unmet_closing_check_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {'met' if self.met else 'overridden'}"


# --- What the Competent Authority decides on, recorded once on the case (issue 17) -----------
# Every pathway's form and pack reads these; the person is never asked twice.


class YesNoNotSure(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "Not sure"


class ExploitationKind(models.TextChoices):
    """The kinds the Home Office's NRM form lists, in our words and in its order."""

    FORCED_WORK = "forced_work", "Made to work"
    WAGES_TAKEN = "wages_taken", "Pay or earnings taken from them"
    FRAUD = "fraud", "Made to commit fraud (benefits, loans, bank accounts)"
    SEXUAL = "sexual", "Prostitution or other sexual exploitation"
    CHILD = "child", "Exploitation of a child"
    MOVED = "moved", "Taken somewhere against their will"
    CRIME = "crime", "Made to commit crime (drugs, county lines, theft, cannabis growing)"
    ORGANS = "organs", "Organs removed"
    HOUSEHOLD = "household", "Unpaid household work (domestic servitude)"
    OTHER = "other", "Something else"


class CaseRecordPart(models.Model):
    """A part of the case record the referral pack is made from: it belongs to its case, and
    takes the case's access, restriction and closing as its own. A part the case has at most
    one of says so with a unique constraint on `case`, which the pages read (record.Part)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    @property
    def audit_reference(self) -> str:
        return self.case.reference


class ExploitationSituation(CaseRecordPart):
    """One situation the person was exploited in: when, where, how, and how it ended."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="situations")
    started_on = models.DateField("when it started", null=True, blank=True)
    ended_on = models.DateField("when it ended", null=True, blank=True)
    dates_approximate = models.BooleanField("the dates are approximate", default=False)
    uk_places = models.TextField(
        "towns, cities or regions in the UK",
        blank=True,
        help_text="One a line, like “Leeds” or “North Wales”.",
    )
    countries = models.TextField(
        "countries outside the UK", blank=True, help_text="One a line, where it also happened."
    )
    kinds = models.JSONField("kinds of exploitation", default=list, blank=True)
    how_it_started = models.TextField(
        "how it started", blank=True, help_text="How they were recruited, what was promised."
    )
    journey = models.TextField("how they travelled, and who arranged it", blank=True)
    work_and_hours = models.TextField("the work or tasks, and the hours", blank=True)
    living_conditions = models.TextField("where they lived and how they were treated", blank=True)
    control = models.TextField(
        "how they were controlled",
        blank=True,
        help_text="Threats, violence, debt, documents taken, watched or locked in.",
    )
    how_it_ended = models.TextField("why they stayed, or how they got away", blank=True)
    under_18_during = models.CharField(
        "under 18 at any time during it",
        max_length=8,
        choices=YesNoNotSure.choices,
        blank=True,
    )

    class Meta(CaseRecordPart.Meta):
        pass

    def __str__(self) -> str:
        return f"Situation {self.pk} of {self.case_id}"

    def clean(self):
        dates.check(
            started_on=(self.started_on, When.HAPPENED), ended_on=(self.ended_on, When.HAPPENED)
        )
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "The end must be the same as or after the start"})
        unknown = set(self.kinds) - set(ExploitationKind.values)
        if unknown:
            raise ValidationError({"kinds": "Choose the kinds of exploitation from the list"})

    def kind_labels(self) -> list[str]:
        labels = dict(ExploitationKind.choices)
        return [labels[kind] for kind in ExploitationKind.values if kind in self.kinds]


class Exploiter(CaseRecordPart):
    """Someone who exploited the person, as far as they are known."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exploiters")
    names = models.CharField("names", max_length=300, blank=True)
    nicknames = models.CharField("nicknames or other names", max_length=300, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    nationality = models.CharField(max_length=200, blank=True)
    languages = models.CharField("languages they speak", max_length=200, blank=True)
    description = models.TextField(
        "what they look like", blank=True, help_text="Height, build, hair, tattoos, scars."
    )
    where_now = models.TextField("where they are now, if known", blank=True)
    relation = models.CharField(
        "how they know the person", max_length=200, blank=True, help_text="Like “employer”."
    )
    vehicles = models.TextField("vehicles", blank=True, help_text="One a line, with the plate.")
    phones = models.TextField("phone numbers", blank=True, help_text="One a line.")
    addresses = models.TextField("addresses", blank=True, help_text="One a line.")

    class Meta(CaseRecordPart.Meta):
        pass

    def __str__(self) -> str:
        return f"Exploiter {self.pk} of {self.case_id}"


class ExploiterLink(models.Model):
    """One of an exploiter's details (a name or nickname, a vehicle, a phone, an address) in
    the form "similar reports" compare (`matching.exploiter_details`), as `ConcernLink` holds
    a concern's. Derived from the exploiter, rebuilt with it in `services.case_record_save`'s
    transaction; never edited on its own. `case` is the exploiter's, so that matches are
    limited to visible cases without a join through the exploiter."""

    exploiter = models.ForeignKey(Exploiter, on_delete=models.CASCADE, related_name="links")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    value = models.CharField(max_length=300)
    normalised = models.CharField(max_length=300)

    class Meta:
        ordering = ["id"]
        indexes = [
            # Similar reports: concerns' and other exploiters' details meet here.
            models.Index(fields=["kind", "normalised"], name="exploiter_link_match_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["exploiter", "kind", "normalised"], name="one_link_per_exploiter_detail"
            ),
            models.CheckConstraint(
                condition=~models.Q(normalised=""), name="exploiter_link_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.normalised}"


class PoliceReport(CaseRecordPart):
    """Whether the police know, who to speak to there, and where it has got to."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="police_reports")
    reported = models.CharField(
        "reported to the police", max_length=8, choices=YesNoNotSure.choices
    )
    forces = models.CharField("police force or forces", max_length=300, blank=True)
    crime_reference = models.CharField(
        "crime or incident (CAD) reference", max_length=100, blank=True
    )
    officer = models.CharField("officer in charge", max_length=200, blank=True)
    officer_contact = models.CharField("how to reach the officer", max_length=300, blank=True)
    cooperating = models.CharField(
        "the person will help the police",
        max_length=8,
        choices=YesNoNotSure.choices,
        blank=True,
    )
    statement = models.TextField(
        "statement or witness status", blank=True, help_text="Like “gave a statement on 3 May”."
    )
    court_dates = models.TextField("court dates", blank=True, help_text="One a line.")

    class Meta(CaseRecordPart.Meta):
        pass

    def __str__(self) -> str:
        return f"Police report {self.pk} of {self.case_id}"


class LetterTo(models.TextChoices):
    PERSON = "person", "The person"
    CHOSEN = "chosen", "Someone they chose (give their details)"


class WhereNow(CaseRecordPart):
    """Where the person is now, and how to reach them without putting them at risk."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="where_now")
    where_now = models.TextField(
        "where they are now", blank=True, help_text="A refuge, a hotel, with family: say which."
    )
    support_provider = models.CharField("their support provider", max_length=300, blank=True)
    email = models.CharField("email address", max_length=254, blank=True)
    email_safe = models.CharField(
        "safe to email", max_length=8, choices=YesNoNotSure.choices, blank=True
    )
    postal_address = models.TextField("postal address", blank=True)
    post_safe = models.CharField(
        "safe to send post", max_length=8, choices=YesNoNotSure.choices, blank=True
    )
    phone = models.CharField("phone number", max_length=40, blank=True)
    phone_safe = models.CharField(
        "safe to phone", max_length=8, choices=YesNoNotSure.choices, blank=True
    )
    letter_to = models.CharField(
        "who receives the decision letter", max_length=8, choices=LetterTo.choices, blank=True
    )
    letter_contact = models.TextField("their name and address, if not the person", blank=True)

    class Meta(CaseRecordPart.Meta):
        constraints = [models.UniqueConstraint(fields=["case"], name="one_where_now_per_case")]

    def __str__(self) -> str:
        return f"Where now of {self.case_id}"


class Background(CaseRecordPart):
    """What the form asks about the person beyond their name, and about others at risk."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="background")
    place_of_birth = models.CharField("place of birth", max_length=200, blank=True)
    children = models.PositiveSmallIntegerField(
        "how many children they have", null=True, blank=True
    )
    dependants = models.TextField("other dependants", blank=True)
    communication_help = models.TextField(
        "other help they need to communicate", blank=True, help_text="Beyond an interpreter."
    )
    home_office_reference = models.CharField("Home Office reference", max_length=60, blank=True)
    home_office_reference_type = models.CharField(
        "kind of Home Office reference", max_length=60, blank=True, help_text="Like “CID” or “GWF”."
    )
    earlier_reports = models.TextField(
        "earlier reports or referrals, and their references", blank=True
    )
    other_victims = models.TextField("other people who may be victims", blank=True)
    last_contact = models.TextField(
        "their last contact with the exploiters: when, and what", blank=True
    )
    fears = models.TextField("why they fear being exploited again", blank=True)

    class Meta(CaseRecordPart.Meta):
        constraints = [models.UniqueConstraint(fields=["case"], name="one_background_per_case")]

    def __str__(self) -> str:
        return f"Background of {self.case_id}"


class FirstResponder(CaseRecordPart):
    """Who makes the referral, and for a child, the local authority contacted first."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="first_responder")
    name = models.CharField("name", max_length=200, blank=True)
    role = models.CharField("role", max_length=200, blank=True)
    organisation = models.CharField("organisation", max_length=200, blank=True)
    phone = models.CharField("phone number", max_length=40, blank=True)
    email = models.CharField("email address", max_length=254, blank=True)
    own_reference = models.CharField("our reference", max_length=60, blank=True)
    alternative_contact = models.TextField(
        "someone else to contact", blank=True, help_text="Their name, role, phone and email."
    )
    local_authority = models.CharField(
        "local authority contacted (a child)", max_length=200, blank=True
    )
    local_authority_contacted_on = models.DateField("when", null=True, blank=True)
    local_authority_contact = models.TextField(
        "who there, and how to reach them", blank=True, help_text="Name, phone and email."
    )

    class Meta(CaseRecordPart.Meta):
        constraints = [
            models.UniqueConstraint(fields=["case"], name="one_first_responder_per_case")
        ]

    def __str__(self) -> str:
        return f"First responder of {self.case_id}"

    def clean(self):
        dates.check(local_authority_contacted_on=(self.local_authority_contacted_on, When.HAPPENED))


class Interview(CaseRecordPart):
    """How the account was given, and what the first responder made of it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interview")
    present = models.TextField(
        "who was there", blank=True, help_text="Interpreter, support worker, anyone else."
    )
    judgement = models.TextField(
        "your professional judgement of what you saw and heard", blank=True
    )
    inconsistencies = models.TextField(
        "anything that may look inconsistent, and why it may be",
        blank=True,
        help_text="Trauma affects memory: gaps and changes in an account are common.",
    )

    class Meta(CaseRecordPart.Meta):
        constraints = [models.UniqueConstraint(fields=["case"], name="one_interview_per_case")]

    def __str__(self) -> str:
        return f"Interview of {self.case_id}"
