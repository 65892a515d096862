import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from safeguard.choices import Pathway

from . import phones


class Category(models.TextChoices):
    EMERGENCY = "emergency", "Emergency"
    HELPLINE = "helpline", "Helpline"
    POLICE = "police", "Police"
    CHILDRENS_SERVICES = "childrens_services", "Children's Services"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    COMPETENT_AUTHORITY = "competent_authority", "Competent authority"
    FIRST_RESPONDER = "first_responder", "First responder"
    VICTIM_SUPPORT = "victim_support", "Victim support and safe accommodation"
    LEGAL = "legal", "Legal and immigration advice"
    HEALTH = "health", "Health"
    INTERPRETING = "interpreting", "Interpreting"
    LABOUR_RIGHTS = "labour_rights", "Labour rights"
    OTHER = "other", "Other"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class TagManager(models.Manager["Tag"]):
    def get_by_natural_key(self, kind: str, code: str) -> "Tag":
        return self.get(kind=kind, code=code)


class Tag(models.Model):
    """A category or a pathway an organisation has: rows, so that lists filter in the database."""

    class Kind(models.TextChoices):
        CATEGORY = "category", "Category"
        PATHWAY = "pathway", "Pathway"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=40)

    objects = TagManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="contact_tag_unique")]

    def __str__(self) -> str:
        choices = Category if self.kind == self.Kind.CATEGORY else Pathway
        return str(dict(choices.choices).get(self.code, self.code))

    def natural_key(self) -> tuple[str, str]:
        return (self.kind, self.code)


class OrganisationManager(models.Manager["Organisation"]):
    def get_by_natural_key(self, reference_key: str) -> "Organisation":
        return self.get(reference_key=reference_key)


class Organisation(models.Model):
    """An entry in the directory: a service a safeguarding lead may call or refer to.

    National entries ship in fixtures/contacts.json, keyed by `reference_key`: loading the
    fixture again updates them in place. They change with releases, not in the app.
    """

    name = models.CharField(max_length=200)
    reference_key = models.SlugField(
        max_length=80,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="Set on the national entries shipped with Safeguard; empty for local ones.",
    )
    tags = models.ManyToManyField(Tag, related_name="organisations", blank=True)
    summary = models.CharField(
        max_length=300, blank=True, help_text="What they do, in one line: shown in lists."
    )
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    address = models.TextField(blank=True)
    open_24_7 = models.BooleanField("open 24 hours, every day", default=False)
    hours_note = models.CharField(
        "hours, in words",
        max_length=200,
        blank=True,
        help_text="For example: out of hours, call the emergency duty team on 0300 ...",
    )
    languages = models.CharField(max_length=200, blank=True)
    coverage_national = models.BooleanField("covers the whole of the UK", default=False)
    areas = models.CharField(
        "local areas served",
        max_length=300,
        blank=True,
        help_text="Council or police areas, separated by commas.",
    )
    is_first_responder = models.BooleanField("is a first responder organisation", default=False)
    on_card = models.BooleanField(
        "show on the safeguarding card",
        default=False,
        help_text="The one-page card of emergency and key contacts.",
    )
    notes = models.TextField(blank=True)
    last_verified_on = models.DateField(null=True, blank=True)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    archived = models.BooleanField(default=False, help_text="No longer shown in the directory.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str | None]:
        return (self.reference_key,)

    @property
    def is_reference(self) -> bool:
        return bool(self.reference_key)

    @property
    def audit_reference(self) -> str:
        return f"contact-{self.pk}"

    def codes(self, kind: str) -> list[str]:
        return [tag.code for tag in self.tags.all() if tag.kind == kind]

    @property
    def categories(self) -> list[str]:
        return self.codes(Tag.Kind.CATEGORY)

    @property
    def pathways(self) -> list[str]:
        return self.codes(Tag.Kind.PATHWAY)

    def needs_verification(self, today: dt.date | None = None) -> bool:
        if self.last_verified_on is None:
            return True
        today = today or timezone.localdate()
        return (today - self.last_verified_on).days > settings.CONTACT_VERIFY_AFTER_DAYS


class Person(models.Model):
    """A named contact within an organisation (a professional, not a victim)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class PhoneManager(models.Manager["Phone"]):
    def get_by_natural_key(self, reference_key: str, order: int) -> "Phone":
        return self.get(organisation__reference_key=reference_key, order=order)


class Phone(models.Model):
    """A number of an organisation or of a person in one: exactly one of the two."""

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    label = models.CharField(
        max_length=60, blank=True, help_text="For example: main line, out of hours, text relay."
    )
    number = models.CharField(
        max_length=20, help_text="Stored as +44... or a UK short number (contacts.phones)."
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = PhoneManager()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=True) ^ models.Q(person__isnull=True),
                name="contact_phone_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.display}" if self.label else self.display

    def natural_key(self) -> tuple[str | None, int]:
        # Used only for the shipped national entries' numbers (fixtures/contacts.json).
        return (self.organisation.reference_key if self.organisation else None, self.order)

    natural_key.dependencies = ["contacts.organisation"]

    @property
    def display(self) -> str:
        return phones.display(self.number)

    @property
    def tel(self) -> str:
        return phones.tel_uri(self.number)


class OpeningHours(models.Model):
    """One opening period on one weekday. Closing at or before opening means past midnight."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        indexes = [models.Index(fields=["weekday", "opens"], name="contact_hours_idx")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M} to {self.closes:%H:%M}"
