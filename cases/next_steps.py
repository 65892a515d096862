"""What the next-steps page shows after a concern is logged, from what was recorded
(issue 19, item 7). The order of whom to call within each situation is
contacts.selectors.WHO_TO_CALL; which situations a concern brings up, and in what order, is
here."""

from dataclasses import dataclass

from contacts.selectors import Situation

from .models import Concern

# The kind of exploitation recorded -> the situation whose contacts come first for it, for an
# adult and for a child. In this order on the page when more than one kind was recorded.
BY_EXPLOITATION: dict[str, tuple[Situation, Situation]] = {
    "labour": (Situation.LABOUR_EXPLOITATION, Situation.LABOUR_EXPLOITATION),
    "sexual": (Situation.SEXUAL_EXPLOITATION, Situation.SEXUAL_EXPLOITATION),
    "criminal": (Situation.CRIMINAL_EXPLOITATION, Situation.CRIMINAL_EXPLOITATION_CHILD),
    "domestic_servitude": (Situation.DOMESTIC_SERVITUDE, Situation.DOMESTIC_SERVITUDE),
    "organ_harvesting": (Situation.ORGAN_HARVESTING, Situation.ORGAN_HARVESTING),
}


@dataclass(frozen=True)
class NextSteps:
    danger: bool  # first on the page, whatever else was recorded
    child: bool
    pathway: tuple[Situation, ...]  # the child's, or the adult's consent question
    exploitation: tuple[Situation, ...]
    interpreter: bool


def next_steps_for(concern: Concern) -> NextSteps:
    child = concern.person.may_be_child(concern.observed_at.date())
    codes = {t.code for t in concern.exploitation_types.all()}
    if concern.county_lines:
        codes.add("criminal")
    exploitation = tuple(
        situations[1 if child else 0]
        for code, situations in BY_EXPLOITATION.items()
        if code in codes
    )
    return NextSteps(
        danger=concern.immediate_danger,
        child=child,
        pathway=(
            (Situation.CHILD,) if child else (Situation.ADULT_CONSENTING, Situation.ADULT_DECLINING)
        ),
        exploitation=exploitation,
        interpreter=concern.person.interpreter_needed,
    )
