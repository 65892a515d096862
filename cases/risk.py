"""Risk over time (issue 19, item 4): how the assessments of a case have moved. Pure."""

from dataclasses import dataclass

from .models import RiskLevel

_RANK = {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3}
_LABELS = dict(RiskLevel.choices)


@dataclass(frozen=True)
class Trend:
    first: str  # a RiskLevel value, or "" when nothing has been assessed
    latest: str
    count: int
    direction: str  # "fallen", "risen", "unchanged", "none"
    text: str

    @property
    def has_fallen(self) -> bool:
        """Enough to close on: lower than at first, or low from the start."""
        return self.direction == "fallen" or (self.count > 0 and self.latest == RiskLevel.LOW)

    @property
    def arrow(self) -> str:
        return {"fallen": "↓", "risen": "↑", "unchanged": "→"}.get(self.direction, "")


def trend(levels) -> Trend:
    """The trend of `levels`, the assessments' levels oldest first, in words."""
    levels = [level for level in levels if level in _RANK]
    if not levels:
        return Trend("", "", 0, "none", "No risk assessment is recorded.")
    first, latest = levels[0], levels[-1]
    was, now = _LABELS[first], _LABELS[latest]
    if len(levels) == 1:
        return Trend(first, latest, 1, "none", f"One assessment so far: {now}.")
    count = len(levels)
    if _RANK[latest] < _RANK[first]:
        direction, text = "fallen", f"Fallen from {was} to {now} over {count} assessments."
    elif _RANK[latest] > _RANK[first]:
        direction, text = "risen", f"Risen from {was} to {now} over {count} assessments."
    else:
        direction, text = "unchanged", f"Still {now}, as at the first of {count} assessments."
    return Trend(first, latest, count, direction, text)


def changes(levels) -> list[str]:
    """For each of `levels` (oldest first), how it moved from the one before, in words."""
    words = []
    previous = None
    for level in levels:
        if previous is None or level not in _RANK or previous not in _RANK:
            words.append("First assessment" if previous is None else "")
        elif _RANK[level] < _RANK[previous]:
            words.append(f"↓ Fallen from {_LABELS[previous]}")
        elif _RANK[level] > _RANK[previous]:
            words.append(f"↑ Risen from {_LABELS[previous]}")
        else:
            words.append("→ No change")
        previous = level
    return words
