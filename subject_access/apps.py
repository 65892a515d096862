from django.apps import AppConfig

from safeguard.navigation import NavItem


class SubjectAccessConfig(AppConfig):
    name = "subject_access"
    verbose_name = "Subject access requests"
    navigation = (NavItem("Subject access", "subject_access:request_list", order=650),)

    def ready(self) -> None:
        from referrals import owners
        from referrals.deadlines import Timer
        from retention import blockers, erasure
        from safeguard import audit

        from . import selectors

        # A request's clock belongs to the request, not to a case: its reminders link here.
        owners.register(
            Timer.SUBJECT_ACCESS,
            "subject_access:request_detail",
            # In the deadline lists of the team answering it and its handler: the lists show
            # its reference, timer and team only, and the request's page checks the records.
            visible=selectors.request_references_for_deadline_lists,
        )
        # "Who looked at this person's records" covers their subject access requests.
        audit.person_records(selectors.request_references_of_people)
        # No disposal while a request is open; a disposal takes the requests' own records.
        blockers.register(selectors.open_request_blocker)
        erasure.contributes(selectors.erasure_plan)
