"""What a concern's and a case's events start and stop here (cases.signals), connected in
ReferralsConfig."""

from . import services


def start_refer_clock(sender, *, concern, **kwargs) -> None:
    services.refer_clock_start(concern=concern)


def stop_or_move_refer_clock(sender, *, concern, outcome, **kwargs) -> None:
    services.refer_clock_on_triage(concern=concern, outcome=outcome)


def closing_facts(sender, *, case, **kwargs) -> dict:
    return services.case_closing_facts(case=case)


def stop_case_deadlines(sender, *, case, why, **kwargs) -> list[str]:
    return services.case_deadlines_stop(case=case, why=why)


def start_risk_review(sender, *, assessment, **kwargs) -> None:
    services.risk_review_start(assessment=assessment)


def keep_support_task_deadline(sender, *, need, removed, owner_changed=True, **kwargs) -> None:
    services.support_task_sync(need=need, removed=removed, owner_changed=owner_changed)
