"""What the events of cases (cases.signals) start and stop here, connected in ReferralsConfig."""

from . import services


def start_refer_clock(sender, *, concern, **kwargs) -> None:
    services.refer_clock_start(concern=concern)


def stop_or_move_refer_clock(sender, *, concern, outcome, **kwargs) -> None:
    services.refer_clock_on_triage(concern=concern, outcome=outcome)


def keep_support_task_deadline(sender, *, need, removed, **kwargs) -> None:
    services.support_task_sync(need=need, removed=removed)


def stop_support_task_deadlines(sender, *, case, **kwargs) -> None:
    services.support_tasks_stop(case=case)
