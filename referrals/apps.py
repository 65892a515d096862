from django.apps import AppConfig

from safeguard.navigation import NavItem


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and deadlines"
    navigation = (NavItem("Deadlines", "referrals:deadlines", order=350),)

    def ready(self) -> None:
        from cases.signals import (
            case_closed,
            case_closing_facts,
            concern_submitted,
            concern_triaged,
            risk_assessed,
            support_need_changed,
        )
        from safeguard import audit

        from . import receivers, selectors

        # The referral clock starts with a concern and stops with a referral or a decision not
        # to refer; cases cannot import referrals, so it announces the events.
        concern_submitted.connect(receivers.start_refer_clock, dispatch_uid="refer_clock_start")
        concern_triaged.connect(
            receivers.stop_or_move_refer_clock, dispatch_uid="refer_clock_on_triage"
        )
        # Closing a case asks what is still open here, and stops every deadline of the case.
        case_closing_facts.connect(receivers.closing_facts, dispatch_uid="case_closing_facts")
        case_closed.connect(receivers.stop_case_deadlines, dispatch_uid="case_deadlines_stop")
        # A risk assessment's review date is reminded like any deadline.
        risk_assessed.connect(receivers.start_risk_review, dispatch_uid="risk_review_start")
        # "Who looked at this person's records", in the audit log, covers their referrals.
        audit.person_records(selectors.case_referral_references)
        # A support task's target date is reminded like a deadline (issue 19, item 3); the
        # case closing stops it with every other deadline of the case (stop_case_deadlines).
        support_need_changed.connect(
            receivers.keep_support_task_deadline, dispatch_uid="support_task_sync"
        )
