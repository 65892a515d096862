from django.apps import AppConfig

from safeguard.navigation import NavItem


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Concerns and cases"
    navigation = (
        NavItem(
            "Log a concern",
            "cases:concern_start",
            order=100,
        ),
        NavItem(
            "Your concerns",
            "cases:my_concerns",
            order=110,
        ),
        NavItem("Triage", "cases:triage_queue", order=200),
        NavItem("Cases", "cases:case_list", order=300),
        NavItem("Search", "cases:search", order=400),
    )

    def ready(self) -> None:
        from safeguard import audit

        from . import receivers, selectors, signals

        audit.person_records(selectors.person_record_references)
        # The person who raised a concern hears the stage it reaches, once (cases.updates).
        signals.concern_triaged.connect(
            receivers.tell_reporter_triaged, dispatch_uid="tell_reporter_triaged"
        )
        signals.referral_submitted.connect(
            receivers.tell_reporters_referred, dispatch_uid="tell_reporters_referred"
        )
        signals.case_closed.connect(
            receivers.tell_reporters_closed, dispatch_uid="tell_reporters_closed"
        )
