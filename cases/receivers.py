"""What cases does on its own events and on those the apps above announce to it
(cases.signals), connected in CasesConfig: telling a concern's reporter the stage it reached."""

from . import updates
from .models import ReporterStage, TriageOutcome

INTO_A_CASE = frozenset({TriageOutcome.NEW_CASE, TriageOutcome.EXISTING_CASE})


def tell_reporter_triaged(sender, *, concern, outcome, **kwargs) -> None:
    updates.concern_stage_tell(concern=concern, stage=ReporterStage.TRIAGED)
    if outcome in INTO_A_CASE:
        updates.concern_stage_tell(concern=concern, stage=ReporterStage.CASE_OPENED)


def tell_reporters_referred(sender, *, case, **kwargs) -> None:
    updates.case_stage_tell(case=case, stage=ReporterStage.REFERRED)


def tell_reporters_closed(sender, *, case, **kwargs) -> list[str]:
    updates.case_stage_tell(case=case, stage=ReporterStage.CLOSED)
    return []  # nothing stopped, for the reopening page
