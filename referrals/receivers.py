"""What a concern's events start and stop here (cases.signals), connected in ReferralsConfig."""

from . import services


def start_refer_clock(sender, *, concern, **kwargs) -> None:
    services.refer_clock_start(concern=concern)


def stop_or_move_refer_clock(sender, *, concern, outcome, **kwargs) -> None:
    services.refer_clock_on_triage(concern=concern, outcome=outcome)
