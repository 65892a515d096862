from django.apps import AppConfig

from safeguard.navigation import NavItem


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals and deadlines"
    navigation = (
        NavItem("Deadlines", "referrals:deadlines", order=350, section="referrals:deadline"),
    )

    def ready(self) -> None:
        from cases.signals import concern_submitted, concern_triaged
        from safeguard import audit

        from . import receivers, selectors

        # The referral clock starts with a concern and stops with a referral or a decision not
        # to refer; cases cannot import referrals, so it announces the events.
        concern_submitted.connect(receivers.start_refer_clock, dispatch_uid="refer_clock_start")
        concern_triaged.connect(
            receivers.stop_or_move_refer_clock, dispatch_uid="refer_clock_on_triage"
        )
        # "Who looked at this person's records", in the audit log, covers their referrals.
        audit.person_records(selectors.case_referral_references)
