"""Ready to refer (issue 17): the Home Office's online NRM form, section by section in its
order, answered from what the case already holds.

One table (`SECTIONS`) read by the referral's task list, "check your answers", "answers to
copy" and the referral pack (documents.pdfs), so that none of them can disagree. Each
section says whether this referral needs it (the pathway, and whether the person may be a
child), the questions it answers, where each answer comes from and where it is changed, and
which needed answers are missing. Missing answers never block a referral: they are listed,
and recording it as submitted with some missing is confirmed (referrals.services).

An anonymous Duty to Notify keeps only the answers declared `kept_anonymous`: everything
else is dropped before any page or the pack sees it, as the pack's context does (the safe
default is to leave an answer out).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from cases.models import ExploitationKind, Gender, YesNoNotSure
from cases.record import summary
from safeguard.choices import Pathway
from safeguard.models import OrganisationSettings

from .models import Consent, Referral

COMPLETED, INCOMPLETE, NOT_NEEDED, OPTIONAL = "completed", "incomplete", "not_needed", "optional"
STATUS_LABELS = {
    COMPLETED: "Completed",
    INCOMPLETE: "Incomplete",
    NOT_NEEDED: "Not needed",
    OPTIONAL: "Not started (optional)",
}
NOT_RECORDED = "Not recorded"
LEFT_OUT = "An anonymous Duty to Notify leaves it out: it could identify the person."
CONFIRM_MISSING = "I am recording it as submitted with these answers missing"


@dataclass(frozen=True)
class Facts:
    """What decides which questions a referral asks."""

    pathway: str
    child: bool
    anonymous: bool

    @property
    def nrm(self) -> bool:
        return self.pathway == Pathway.NRM

    @property
    def dtn(self) -> bool:
        return self.pathway == Pathway.DUTY_TO_NOTIFY


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    missing: bool = False  # needed for this referral, and not yet given
    change: str = ""  # the page where it is answered; "" where no page changes it yet
    kept_anonymous: bool = False  # safe to keep in an anonymous Duty to Notify

    @property
    def text(self) -> str:
        return self.answer or NOT_RECORDED


@dataclass
class Record:
    """Everything the sections read, fetched once (a fixed number of queries however many
    situations, exploiters or police reports the case has)."""

    referral: Referral
    facts: Facts
    nation: str
    organisation: str  # ours: the first responder organisation making the referral
    consent: Consent | None
    refusal: Consent | None  # the case's latest refusal of the NRM (a Duty to Notify's answers)
    documents: list
    immediate_danger: bool

    @property
    def case(self):
        return self.referral.case

    @property
    def person(self):
        return self.referral.case.person

    def rows(self, related_name: str) -> list:
        return list(getattr(self.case, related_name).all())

    def one(self, related_name: str):
        rows = self.rows(related_name)
        return rows[0] if rows else None

    def part_url(self, slug: str, related_name: str) -> str:
        """Where a part of the case record is answered: its one row's page, the page to add
        the first, or the record itself when there are several."""
        rows = self.rows(related_name)
        reference = self.case.reference
        if not rows:
            return reverse("cases:case_record_add", args=[reference, slug])
        if len(rows) == 1:
            return reverse("cases:case_record_edit", args=[reference, slug, rows[0].pk])
        return reverse("cases:case_record", args=[reference])

    @property
    def consent_url(self) -> str:
        return reverse("referrals:detail", args=[self.referral.reference]) + "#consent"


@dataclass(frozen=True)
class Section:
    slug: str
    heading: str  # our wording, following the form's headings
    not_needed: Callable[[Facts], str]  # why this referral does not need it, or ""
    answers: Callable[[Record], list[Answer]]
    optional: bool = False  # the form lets it be left empty (supporting documents)


@dataclass
class SectionState:
    section: Section
    status: str
    answers: list[Answer]
    not_needed_because: str = ""
    left_out: int = 0  # answers an anonymous notice leaves out

    @property
    def slug(self) -> str:
        return self.section.slug

    @property
    def heading(self) -> str:
        return self.section.heading

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def missing(self) -> list[Answer]:
        return [a for a in self.answers if a.missing] if self.status != NOT_NEEDED else []

    @property
    def link(self) -> str:
        """Where the task is done: the first missing answer's page, else the first page that
        changes any of its answers."""
        for answer in [*self.missing, *self.answers]:
            if answer.change:
                return answer.change
        return ""

    @property
    def text_rows(self) -> int:
        """Enough rows of the copy box to show the section without scrolling, up to a screen."""
        return min(30, self.plain_text.count("\n") + 2)

    @property
    def plain_text(self) -> str:
        """The section as the answers-to-copy page shows it: each question, then its answer,
        on lines of their own."""
        return "\n\n".join(f"{a.question}\n{a.text}" for a in self.answers)


@dataclass
class Readiness:
    referral: Referral
    facts: Facts
    sections: list[SectionState]
    immediate_danger: bool

    @property
    def missing(self) -> list[tuple[SectionState, Answer]]:
        return [(s, a) for s in self.sections for a in s.missing]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def needs_confirmation(self) -> bool:
        """Recording it as submitted with answers missing is confirmed, unless the person is
        in immediate danger: then nothing waits."""
        return bool(self.missing) and not self.immediate_danger


# --- Reading answers ---------------------------------------------------------------------------


def _choice(row, name: str) -> str:
    return getattr(row, f"get_{name}_display")() if row and getattr(row, name) else ""


def _lines(*texts: str) -> list[str]:
    """Each line once, in the order first given (places typed one a line on each situation)."""
    seen: dict[str, None] = {}
    for text in texts:
        for line in (text or "").splitlines():
            if line.strip():
                seen.setdefault(line.strip(), None)
    return list(seen)


def _label(model, name: str) -> str:
    label = model._meta.get_field(name).verbose_name
    return label[:1].upper() + label[1:]


def _rows_text(rows, title: str, skip: tuple[str, ...] = ()) -> str:
    """Several rows of a part as one answer, each under its number, every question it answers
    (the same questions and words as the case record's cards) but those in `skip`, which
    other questions of the form answer."""
    blocks = []
    for n, row in enumerate(rows, start=1):
        skipped = {_label(type(row), name) for name in skip}
        pairs = [f"{q}: {a}" for q, a in summary(row) if a != NOT_RECORDED and q not in skipped]
        heading = title if len(rows) == 1 else f"{title} {n}"
        blocks.append("\n".join([heading, *pairs]))
    return "\n\n".join(blocks)


def _yes_no_not_sure(values: list[str]) -> str:
    """One answer from several rows: yes if any says yes, then not sure, then no."""
    for value in (YesNoNotSure.YES, YesNoNotSure.NOT_SURE, YesNoNotSure.NO):
        if value in values:
            return YesNoNotSure(value).label
    return ""


def _safe(value: str, safe: str) -> str:
    return f"{value} (safe to use: {YesNoNotSure(safe).label.lower()})" if value and safe else value


def _date_of_birth(person) -> str:
    if person.assessed_date_of_birth:
        return f"{person.assessed_date_of_birth:%-d %B %Y} (from their age assessment)"
    if person.date_of_birth:
        return f"{person.date_of_birth:%-d %B %Y}"
    if person.estimated_age is not None:
        return f"About {person.estimated_age} (estimated; date of birth not known)"
    return ""


def _under_18(person) -> str:
    if person.age_settled_as:
        return f"{'Yes' if person.may_be_child() else 'No'}: {person.age_settled_text}"
    if person.age_disputed:
        return "Not sure: their age is disputed, so they are treated as a child"
    age = person.age_on(timezone.localdate())
    if age is None:
        return "Not sure: their age is not known, so they are treated as a child"
    return "Yes" if age < 18 else "No"


def _interpreter(person) -> str:
    if not person.interpreter_needed:
        return "Not needed"
    return f"Needed ({person.interpreter_language})" if person.interpreter_language else "Needed"


# --- The sections, in the order of the Home Office's form -------------------------------------


def _always(facts: Facts) -> str:
    return ""


def _referral_and_age(r: Record) -> list[Answer]:
    person, facts = r.person, r.facts
    first_responder = r.one("first_responder")
    fr_url = r.part_url("first-responder", "first_responder")
    answers = [
        Answer("The nation the referral is made in", r.nation, kept_anonymous=True),
        Answer("Are they under 18?", _under_18(person), kept_anonymous=True),
    ]
    if facts.child and facts.pathway != Pathway.CHILDRENS_SERVICES:
        name = first_responder.local_authority if first_responder else ""
        contact = first_responder.local_authority_contact if first_responder else ""
        on = first_responder.local_authority_contacted_on if first_responder else None
        answers += [
            Answer("The local authority contacted about the child", name, not name, fr_url),
            Answer("When it was contacted", f"{on:%-d %B %Y}" if on else "", change=fr_url),
            Answer("Who there, and how to reach them", contact, not contact, fr_url),
        ]
    elif not facts.child:
        situations = r.rows("situations")
        during = _yes_no_not_sure([s.under_18_during for s in situations])
        answers.append(
            Answer(
                "Were they under 18 at any time while they were exploited?",
                during,
                not during,
                r.part_url("situation", "situations"),
                kept_anonymous=True,
            )
        )
    return answers


ACCOUNT_FIELDS = (
    "how_it_started",
    "journey",
    "work_and_hours",
    "living_conditions",
    "control",
    "how_it_ended",
)


# A situation's questions the form asks on their own (where, the kinds, under 18).
ANSWERED_ELSEWHERE = ("uk_places", "countries", "kinds", "under_18_during")


def _what_happened(r: Record) -> list[Answer]:
    situations = r.rows("situations")
    url = r.part_url("situation", "situations")
    told = [s for s in situations if any(getattr(s, f) for f in ACCOUNT_FIELDS)]
    uk = _lines(*(s.uk_places for s in situations))
    abroad = _lines(*(s.countries for s in situations))
    where_now = r.one("where_now")
    interview = r.one("interview")
    interview_url = r.part_url("interview", "interview")
    return [
        Answer(
            "What happened",
            _rows_text(situations, "Situation", skip=ANSWERED_ELSEWHERE),
            not told,
            url,
        ),
        Answer("Towns, cities or regions in the UK where it happened", "\n".join(uk), change=url),
        Answer("Countries outside the UK where it happened", "\n".join(abroad), change=url),
        # Either place answers "where": one missing answer says so, not two.
        *(
            [Answer("Where it happened", "", True, url)]
            if situations and not (uk or abroad)
            else []
        ),
        Answer(
            "Where they are now",
            where_now.where_now if where_now else "",
            not (where_now and where_now.where_now),
            r.part_url("where-now", "where_now"),
        ),
        Answer(
            "Who was there when they gave their account",
            interview.present if interview else "",
            change=interview_url,
        ),
        Answer(
            "Your professional judgement of what you saw and heard",
            interview.judgement if interview else "",
            change=interview_url,
        ),
        Answer(
            "Anything that may look inconsistent, and why",
            interview.inconsistencies if interview else "",
            change=interview_url,
        ),
    ]


def _who_exploited(r: Record) -> list[Answer]:
    exploiters = r.rows("exploiters")
    situations = r.rows("situations")
    kinds = {kind for s in situations for kind in s.kinds}
    labels = [label for value, label in ExploitationKind.choices if value in kinds]
    return [
        Answer(
            "Who exploited them",
            _rows_text(exploiters, "Person who exploited them"),
            not exploiters,
            r.part_url("exploiter", "exploiters"),
        ),
        Answer(
            "Kinds of exploitation",
            "\n".join(labels),
            not labels,
            r.part_url("situation", "situations"),
            kept_anonymous=True,
        ),
    ]


def _others_and_police(r: Record) -> list[Answer]:
    background = r.one("background")
    reports = r.rows("police_reports")
    police_url = r.part_url("police", "police_reports")
    reported = _yes_no_not_sure([p.reported for p in reports])
    others = background.other_victims if background else ""
    return [
        Answer(
            "Are there other people who may be victims?",
            others,
            not others,
            r.part_url("background", "background"),
        ),
        Answer(
            "Was it reported to the police?",
            reported,
            not reported,
            police_url,
            kept_anonymous=True,
        ),
        Answer(
            "Police forces, crime references and officers",
            _rows_text([p for p in reports if p.reported == YesNoNotSure.YES], "Police report"),
            change=police_url,
        ),
    ]


def _consent_not_needed(facts: Facts) -> str:
    if facts.child:
        return "A child is referred without their consent."
    if facts.nrm or facts.dtn:
        return ""
    return "This pathway does not ask for their consent."


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "Yes" if value else "No"


def _refusal(consent: Consent, url: str, *, kept: bool) -> list[Answer]:
    """What a refusal records, as the form asks it before it offers the Duty to Notify."""
    understood = _yes_no(consent.understands_no_support)
    because = consent.declined_because
    police = consent.get_police_cooperation_display() if consent.police_cooperation else ""
    return [
        Answer(
            "They understand that without a referral they get no NRM support and no decision",
            understood,
            not understood,
            url,
            kept_anonymous=kept,
        ),
        Answer("Why they did not want to be referred", because, not because, url),
        Answer(
            "Will they co-operate with the police?", police, not police, url, kept_anonymous=kept
        ),
    ]


def _consent(r: Record) -> list[Answer]:
    consent, url = r.consent, r.consent_url
    if r.facts.dtn:
        # The Duty to Notify follows an adult's refusal of the NRM, recorded on the case's NRM
        # referral (its consent): its answers are those of that refusal.
        refusal = r.refusal
        answers = [
            Answer(
                "Do they want to be referred to the NRM?",
                "No: this is a Duty to Notify",
                kept_anonymous=True,
            )
        ]
        if refusal is None:
            return [
                *answers,
                Answer("Why they did not want to be referred", "", True, url),
                Answer("Will they co-operate with the police?", "", True, url, kept_anonymous=True),
            ]
        refusal_url = reverse("referrals:detail", args=[refusal.referral.reference]) + "#consent"
        return [*answers, *_refusal(refusal, refusal_url, kept=True)]
    if consent is None:
        return [Answer("Do they agree to the NRM referral?", "", True, url)]
    who = ", ".join(filter(None, [consent.interpreter_language, consent.interpreter]))
    interpreter = f"Yes ({who})" if consent.interpreter_used else "No"
    answers = [
        Answer("Do they agree to the NRM referral?", "Yes" if consent.given else "No", change=url),
        Answer("Date they gave their answer", f"{consent.given_on:%-d %B %Y}", change=url),
        *(
            Answer(
                f"{label} explained",
                _yes_no(value),
                value is None and not consent.recorded_before_questions,
                url,
            )
            for label, value in consent.explained
        ),
        Answer("How it was explained", consent.how_explained, change=url),
        Answer("Language it was explained in", consent.explained_in, change=url),
        Answer("Interpreter", interpreter, change=url),
        Answer("Witnessed by", consent.witnessed_by, change=url),
    ]
    if not consent.given:
        answers += _refusal(consent, url, kept=False)
    answers.append(
        Answer(
            "Recorded by",
            f"{consent.recorded_by.full_name}, "
            f"{timezone.localtime(consent.recorded_at):%-d %B %Y, %H:%M}",
        )
    )
    return answers


def _about_them(r: Record) -> list[Answer]:
    person, facts = r.person, r.facts
    background = r.one("background")
    where_now = r.one("where_now")
    background_url = r.part_url("background", "background")
    where_url = r.part_url("where-now", "where_now")

    def bg(name: str) -> str:
        value = getattr(background, name) if background else None
        return "" if value is None else str(value)

    answers = [
        Answer("Name", person.name, not person.name),
        Answer("Nicknames or other names", person.aliases),
        Answer("Age group", _age_group(person), kept_anonymous=True),
    ]
    if not facts.dtn or not facts.anonymous:
        # A named Duty to Notify carries it too: they agreed to be named.
        dob = _date_of_birth(person)
        answers.append(Answer("Date of birth", dob, not dob and not facts.dtn))
    answers += [
        Answer(
            "Gender",
            person.get_gender_display(),
            person.gender == Gender.UNKNOWN,
            kept_anonymous=True,
        ),
        Answer(
            "Nationalities",
            person.nationalities,
            not person.nationalities,
            kept_anonymous=True,
        ),
        Answer("Languages", person.languages, kept_anonymous=True),
        Answer("Interpreter", _interpreter(person), kept_anonymous=True),
    ]
    if not facts.anonymous:
        # A Duty to Notify does not ask these; a named one carries what is recorded.
        answers += [
            Answer(
                "How many children they have",
                bg("children"),
                not facts.dtn and (background is None or background.children is None),
                background_url,
            ),
            Answer("Other dependants", bg("dependants"), change=background_url),
            Answer(
                "Other help they need to communicate",
                bg("communication_help"),
                change=background_url,
            ),
            Answer("Place of birth", bg("place_of_birth"), change=background_url),
            Answer("Home Office reference", bg("home_office_reference"), change=background_url),
            Answer(
                "Kind of Home Office reference",
                bg("home_office_reference_type"),
                change=background_url,
            ),
        ]
    if not facts.child:
        # The form asks a child's contact details of the local authority, not the child.
        answers += [
            Answer(
                "Email address",
                _safe(where_now.email, where_now.email_safe) if where_now else "",
                change=where_url,
            ),
            Answer(
                "Postal address",
                _safe(where_now.postal_address, where_now.post_safe) if where_now else "",
                change=where_url,
            ),
            Answer(
                "Phone number",
                _safe(where_now.phone, where_now.phone_safe) if where_now else "",
                change=where_url,
            ),
            Answer(
                "Who receives the decision letter",
                _choice(where_now, "letter_to"),
                change=where_url,
            ),
            Answer(
                "Their name and address, if not the person",
                where_now.letter_contact if where_now else "",
                change=where_url,
            ),
            Answer(
                "Their support provider",
                where_now.support_provider if where_now else "",
                change=where_url,
            ),
        ]
    if facts.nrm and not facts.child:
        police = r.rows("police_reports")
        cooperate = _yes_no_not_sure([p.cooperating for p in police])
        answers.append(
            Answer(
                "Will they co-operate with the police?",
                cooperate,
                not cooperate,
                r.part_url("police", "police_reports"),
                kept_anonymous=True,
            )
        )
    answers += [
        Answer("Safe ways to contact them", person.safe_contact),
        Answer("Distinguishing features", person.distinguishing_features),
        Answer("Our reference for them", person.reference),
        Answer("Earlier reports or referrals", bg("earlier_reports"), change=background_url),
        Answer("Their last contact with the exploiters", bg("last_contact"), change=background_url),
        Answer("Why they fear being exploited again", bg("fears"), change=background_url),
    ]
    return answers


def _age_group(person) -> str:
    if person.age_dispute_open:
        return "Age disputed (treated as a child)"
    age = person.age_on(timezone.localdate())
    if age is None:
        return "Not known"
    return "Child (under 18)" if age < 18 else "Adult (18 or over)"


def supporting_documents(case) -> list:
    """The case's evidence documents (documents.EvidenceDocument), oldest first."""
    return list(case.evidence_documents.order_by("uploaded_at"))


def _documents(r: Record) -> list[Answer]:
    url = reverse("documents:case_documents", args=[r.case.reference])
    return [
        Answer(
            f"Document {n}: {document.get_kind_display()}",
            f"{document.description} (added {timezone.localtime(document.uploaded_at):%-d %B %Y})",
            change=url,
        )
        for n, document in enumerate(r.documents, start=1)
    ]


def _first_responder(r: Record) -> list[Answer]:
    row = r.one("first_responder")
    url = r.part_url("first-responder", "first_responder")
    lead = r.case.lead

    def get(name: str) -> str:
        return getattr(row, name) if row else ""

    lead_text = ", ".join(
        filter(None, [lead.full_name, lead.job_title, r.case.team.name, lead.email])
    )
    return [
        Answer("Name", get("name"), not get("name"), url, kept_anonymous=True),
        Answer("Role", get("role"), not get("role"), url, kept_anonymous=True),
        Answer("Phone number", get("phone"), not get("phone"), url, kept_anonymous=True),
        Answer(
            "Organisation",
            get("organisation") or r.organisation,
            change=url,
            kept_anonymous=True,
        ),
        Answer("Email address", get("email"), change=url, kept_anonymous=True),
        Answer(
            "Someone else to contact", get("alternative_contact"), change=url, kept_anonymous=True
        ),
        Answer("Our reference", get("own_reference"), change=url, kept_anonymous=True),
        Answer("The case's safeguarding lead", lead_text, kept_anonymous=True),
    ]


SECTIONS: tuple[Section, ...] = (
    Section("referral", "The referral and the person's age", _always, _referral_and_age),
    Section(
        "what-happened", "What happened, where, and where they are now", _always, _what_happened
    ),
    Section("who-exploited", "Who exploited them, and how", _always, _who_exploited),
    Section("others-police", "Other people at risk, and the police", _always, _others_and_police),
    Section("consent", "Whether they want to be referred", _consent_not_needed, _consent),
    Section("about-them", "About them", _always, _about_them),
    Section("documents", "Supporting documents", _always, _documents, optional=True),
    Section("first-responder", "The first responder", _always, _first_responder),
)


# --- Putting it together -----------------------------------------------------------------------


PARTS_READ = (
    "situations",
    "exploiters",
    "police_reports",
    "where_now",
    "background",
    "first_responder",
    "interview",
)


def facts_of(referral: Referral) -> Facts:
    return Facts(
        pathway=referral.pathway,
        child=referral.case.person.may_be_child(),
        anonymous=referral.is_anonymous,
    )


def referral_readiness(referral: Referral) -> Readiness:
    """Each section of the form for this referral: its status, its answers (an anonymous
    notice's without the identifying ones) and what is missing."""
    case = referral.case
    prefetch_related_objects([case], *PARTS_READ)
    facts = facts_of(referral)
    settings = OrganisationSettings.load()
    record = Record(
        referral=referral,
        facts=facts,
        nation=settings.get_nation_display(),
        organisation=settings.name,
        consent=Consent.objects.filter(referral=referral).select_related("recorded_by").first(),
        refusal=Consent.objects.filter(referral__case=case, given=False)
        .select_related("referral")
        .order_by("-recorded_at")
        .first(),
        documents=supporting_documents(case),
        immediate_danger=case.concerns.filter(immediate_danger=True).exists(),
    )
    states = []
    for section in SECTIONS:
        because = section.not_needed(facts)
        answers = section.answers(record)
        kept = [a for a in answers if a.kept_anonymous] if facts.anonymous else answers
        if answers and not kept and not because:
            because = LEFT_OUT
        if because:
            status = NOT_NEEDED
        elif any(a.missing for a in kept):
            status = INCOMPLETE
        elif section.optional and not kept:
            status = OPTIONAL
        else:
            status = COMPLETED
        states.append(
            SectionState(
                section=section,
                status=status,
                answers=kept,
                not_needed_because=because,
                left_out=len(answers) - len(kept),
            )
        )
    return Readiness(
        referral=referral,
        facts=facts,
        sections=states,
        immediate_danger=record.immediate_danger,
    )
