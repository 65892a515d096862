"""Rows of the referrals app, built directly: no services, so no transitions, clocks or
reminders unless a test adds them. References are normally made by `referrals.services`; here
they are a synthetic sequence of their own ("RF-F-")."""

import datetime as dt

import factory
from django.utils import timezone

from referrals.deadlines import Timer
from referrals.models import Deadline, Decision, Referral
from safeguard.choices import Pathway
from tests.cases.factories import CaseFactory


class ReferralFactory(factory.django.DjangoModelFactory):
    """A draft unless `submitted_at` is given (then "submitted"); made by the case's lead."""

    class Meta:
        model = Referral

    reference = factory.Sequence(lambda n: f"RF-F-{n + 1:06d}")
    case = factory.SubFactory(CaseFactory)
    pathway = Pathway.NRM
    submitted_at = None
    status = factory.LazyAttribute(
        lambda referral: "submitted" if referral.submitted_at else "draft"
    )
    created_by = factory.LazyAttribute(lambda referral: referral.case.lead)


class DecisionFactory(factory.django.DjangoModelFactory):
    """A decision received on a referral, recorded by its case's lead."""

    class Meta:
        model = Decision

    referral = factory.SubFactory(ReferralFactory)
    kind = Decision.Kind.RG
    outcome = Decision.Outcome.POSITIVE
    received_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.LazyAttribute(lambda decision: decision.referral.case.lead)


class DeadlineFactory(factory.django.DjangoModelFactory):
    """A clock on whatever it is given (`case=`, `concern=`, `referral=`; none by default),
    started two days before it falls due."""

    class Meta:
        model = Deadline

    # A duty (something to do by a time), so that one past due is overdue: a support period
    # that has ended is not (issue 18, item 6).
    timer = Timer.RG_DECISION
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    starts_at = factory.LazyAttribute(lambda deadline: deadline.due_at - dt.timedelta(days=2))
