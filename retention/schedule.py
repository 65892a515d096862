"""The retention schedule as the product declares it: each kind of record, what its retention
date is counted from, its default length and where that length comes from, why it is kept and
where it lives. Administrators change only the length (retention.RetentionRule, one row per
kind, seeded from this table); the rest is what the code does, so it is declared here once and
the data protection officer's page is made from it.

No law gives a number of years for these records. UK GDPR's storage limitation principle
(Article 5(1)(e)) asks that they be kept no longer than needed, and DOMAIN.md ("Data
protection") asks for a schedule per kind of record, reviewed, with disposal recorded and
legal holds respected: so every default below is this organisation's policy choice, and says
so.
"""

from dataclasses import dataclass

from django.db import models


class Kind(models.TextChoices):
    CONCERN_NFA = "concern_nfa", "Concern closed with no further action"
    CONCERN_SIGNPOSTED = "concern_signposted", "Concern signposted to another service"
    CASE_ADULT = "case_adult", "Closed case of an adult"
    CASE_CHILD = "case_child", "Closed case of a child"
    DRAFT = "draft", "Unsent draft of a concern"
    PREPARED_DOCUMENT = "prepared_document", "Prepared document (PDF)"
    DIRECTORY_PERSON = "directory_person", "Person in the contacts directory"
    AUDIT_EVENT = "audit_event", "Audit event"


class Unit(models.TextChoices):
    HOURS = "hours", "hours"
    DAYS = "days", "days"
    MONTHS = "months", "months"


class Where(models.TextChoices):
    DATABASE = "database", "Database"
    STORAGE = "storage", "Private file storage (disk or object store)"
    BACKUPS = "backups", "Database backups"


POLICY = "Policy choice: no law sets a length. "
STORAGE_LIMITATION = (
    "UK GDPR asks that records are kept no longer than needed (storage limitation); "
    "DOMAIN.md asks for a schedule per kind, reviewed before disposal."
)


@dataclass(frozen=True)
class KindRule:
    kind: Kind
    unit: Unit
    default: int
    counted_from: str
    source: str
    why: str
    holds: str
    where: tuple[Where, ...]
    # Reviewed by a manager and disposed of by retention.services: a person's records. The
    # other kinds are listed on the schedule and the officer's page only (see the README).
    reviewed: bool = False
    # Deleted by the service once its date has passed, with no review (retention.services
    # .drafts_expire): work left unfinished, which its author is told of.
    expires: bool = False


SCHEDULE: tuple[KindRule, ...] = (
    KindRule(
        Kind.CONCERN_NFA,
        Unit.MONTHS,
        24,
        counted_from="the day a lead decided on no further action (the triage date)",
        source=POLICY + "Two years lets a lead see a pattern if concerns about the same person "
        "come in again. " + STORAGE_LIMITATION,
        why="A concern about a possible victim of exploitation: special category data, and "
        "allegations about others that are criminal offence data (DPA 2018 Schedule 1 "
        "paragraph 18, safeguarding).",
        holds="The person, the concern, its indicators and notes, its referral clock.",
        where=(Where.DATABASE, Where.STORAGE, Where.BACKUPS),
        reviewed=True,
    ),
    KindRule(
        Kind.CONCERN_SIGNPOSTED,
        Unit.MONTHS,
        36,
        counted_from="the day a lead signposted the concern (the triage date)",
        source=POLICY
        + "Three years: the service signposted to may come back with questions. "
        + STORAGE_LIMITATION,
        why="As a concern closed with no further action, and the record of where the person "
        "was sent.",
        holds="The person, the concern, its indicators and notes, the service signposted to.",
        where=(Where.DATABASE, Where.STORAGE, Where.BACKUPS),
        reviewed=True,
    ),
    KindRule(
        Kind.CASE_ADULT,
        Unit.MONTHS,
        72,
        counted_from="the day the case was last closed",
        source=POLICY + "Six years after closing, the period many safeguarding teams use for "
        "adults' records. " + STORAGE_LIMITATION,
        why="The safeguarding case of an adult victim: referrals, decisions, support, risk; "
        "special category and criminal offence data (DPA 2018 Schedule 1 paragraph 18).",
        holds="The person, their concerns, the case record (account, exploiters, police, "
        "where they are), chronology, support plan, risk assessments, referrals and "
        "decisions, evidence documents and photos.",
        where=(Where.DATABASE, Where.STORAGE, Where.BACKUPS),
        reviewed=True,
    ),
    KindRule(
        Kind.CASE_CHILD,
        Unit.MONTHS,
        120,
        counted_from="the day the case was last closed (a case is a child's if the person "
        "was or may have been under 18 when it opened)",
        source=POLICY + "Ten years: a child's record is kept longer, as they may ask for it "
        "as an adult. " + STORAGE_LIMITATION,
        why="As an adult's case; a child is treated as one until their age is settled.",
        holds="As an adult's case, with the Children's Services referral and age assessments.",
        where=(Where.DATABASE, Where.STORAGE, Where.BACKUPS),
        reviewed=True,
    ),
    KindRule(
        Kind.DRAFT,
        Unit.DAYS,
        30,
        counted_from="the last time the draft was saved",
        source=POLICY + "A draft never sent is work left behind; a month gives its author "
        "time to finish it. " + STORAGE_LIMITATION,
        why="A concern being written: the same data as a concern, not yet triaged.",
        holds="What the author has typed so far.",
        where=(Where.DATABASE, Where.BACKUPS),
        expires=True,
    ),
    KindRule(
        Kind.PREPARED_DOCUMENT,
        Unit.HOURS,
        8,
        counted_from="the time the document was made",
        source=POLICY + "A PDF is made to be downloaded and handed on; it can be made again "
        "from the record. A new installation starts with SAFEGUARD_DOCUMENT_KEEP_HOURS. "
        + STORAGE_LIMITATION,
        why="A copy of part of a case record (a chronology, a referral pack, a subject access "
        "bundle not released).",
        holds="The document's file; the job row keeps who asked and when.",
        where=(Where.DATABASE, Where.STORAGE, Where.BACKUPS),
        expires=True,
    ),
    KindRule(
        Kind.DIRECTORY_PERSON,
        Unit.MONTHS,
        24,
        counted_from="the day the entry was last verified",
        source=POLICY
        + "A contact not checked for two years is likely out of date. "
        + STORAGE_LIMITATION,
        why="A professional's work contact details, kept so that colleagues can reach them "
        "(legitimate interests).",
        holds="Name, role, work phone and email.",
        where=(Where.DATABASE, Where.BACKUPS),
    ),
    KindRule(
        Kind.AUDIT_EVENT,
        Unit.MONTHS,
        72,
        counted_from="the time of the event",
        source=POLICY + "As long as the longest record it accounts for (an adult's case), so "
        "that who saw a record can be answered while the record exists. " + STORAGE_LIMITATION,
        why="Accountability: who read, changed or exported which record. References only, "
        "never names.",
        holds="Who, when, what kind of action, the record's reference, the names of fields "
        "changed.",
        where=(Where.DATABASE, Where.BACKUPS),
    ),
)

BY_KIND: dict[str, KindRule] = {rule.kind.value: rule for rule in SCHEDULE}
