"""One record per form, however many times it is sent (a double click, a resent POST).

A create form carries a random token; the first successful POST remembers, in the session,
where it led; a repeat of the same token goes there instead of creating again.
"""

import uuid

SESSION_KEY = "safeguard_submissions"
REMEMBERED = 50


def new_token() -> str:
    return uuid.uuid4().hex


def already_done(request, token: str) -> str | None:
    """The address the first submission of `token` led to, if it was already handled."""
    return request.session.get(SESSION_KEY, {}).get(token) if token else None


def remember(request, token: str, url: str) -> None:
    done = dict(request.session.get(SESSION_KEY, {}))
    done[token] = url
    # Keep the newest few: a token only matters for the minutes around its form.
    request.session[SESSION_KEY] = dict(list(done.items())[-REMEMBERED:])
