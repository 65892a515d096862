"""What stops a person's records being disposed of, asked again inside the disposal's
transaction with the person's row locked (retention.services.person_dispose).

Each blocker is a callable, person -> reason (a sentence with no personal data) or None.
Apps register theirs in AppConfig.ready: `retention.blockers.register(fn)`. This app
registers two (retention.apps): a legal hold, and a record that is open again. Another app
(subject access requests) registers "an open subject access request" the same way.
"""

from collections.abc import Callable

Blocker = Callable[[object], str | None]
_blockers: list[Blocker] = []


def register(blocker: Blocker) -> Blocker:
    if blocker not in _blockers:
        _blockers.append(blocker)
    return blocker


def reasons(person) -> list[str]:
    """Why `person`'s records may not be disposed of now: empty when nothing stands in the way."""
    return [reason for blocker in _blockers if (reason := blocker(person))]
