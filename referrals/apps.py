from django.apps import AppConfig

from safeguard.navigation import NavItem


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and deadlines"
    navigation = (
        NavItem("Deadlines", "referrals:deadlines", order=350, section="referrals:deadline"),
    )

    def ready(self) -> None:
        from cases.signals import (
            case_closed,
            concern_submitted,
            concern_triaged,
            support_need_changed,
        )

        from . import receivers

        # The referral clock starts with a concern and stops with a referral or a decision not
        # to refer; cases cannot import referrals, so it announces the events.
        concern_submitted.connect(receivers.start_refer_clock, dispatch_uid="refer_clock_start")
        concern_triaged.connect(
            receivers.stop_or_move_refer_clock, dispatch_uid="refer_clock_on_triage"
        )
        # A support task's target date is reminded like a deadline (issue 19, item 3).
        support_need_changed.connect(
            receivers.keep_support_task_deadline, dispatch_uid="support_task_sync"
        )
        case_closed.connect(
            receivers.stop_support_task_deadlines, dispatch_uid="support_tasks_stop"
        )
