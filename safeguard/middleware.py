import logging
import re
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import redirect, resolve_url
from whitenoise.middleware import WhiteNoiseMiddleware

from . import access, audit

logger = logging.getLogger(__name__)


class RequestIdMiddleware:
    """Gives each request an id, shown in the X-Request-ID header and in audit events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


# NUL cannot be stored by PostgreSQL and lone surrogates cannot be encoded by psycopg: either
# one in a value reaching the database is a server error (and a draft's autosave loses the
# whole request).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _without_unstorable(data: QueryDict) -> QueryDict:
    if not any(
        UNSTORABLE.search(k) or any(UNSTORABLE.search(v) for v in vs) for k, vs in data.lists()
    ):
        return data
    clean = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        clean.setlistdefault(UNSTORABLE.sub("", key), []).extend(
            UNSTORABLE.sub("", v) for v in values
        )
    clean._mutable = False
    return clean


class UnstorableCharactersMiddleware:
    """Removes NUL and lone surrogates from every query and form value and key, keeping the
    rest of what was typed, so that no view has to remember to; a URL holding a NUL (a
    reference, an id) names nothing and is not found."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if UNSTORABLE.search(request.path_info):
            raise Http404
        request.GET = _without_unstorable(request.GET)
        if request.method == "POST":
            request.POST = _without_unstorable(request.POST)
        return self.get_response(request)


class AccessPolicyMiddleware:
    """Deny by default: every URL must have a rule in `access.URL_RULES`.

    Anonymous users are sent to sign in (public pages excepted); a signed-in user whose role
    the rule does not name is refused with 403; a URL without a rule is refused with 404 and
    logged, so that a page added without a rule can never be reached.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(settings.STATIC_URL):
            return None
        view_name = request.resolver_match.view_name
        rule = access.url_rule(view_name)
        if rule is None:
            logger.error("No access rule for URL name %r: refused", view_name)
            raise Http404
        if rule == access.PUBLIC:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role not in rule:
            audit.record(request, action=audit.Action.ACCESS_DENIED, detail=view_name)
            raise PermissionDenied
        return None

    def process_exception(self, request, exception):
        # A change to a closed case (access.get_for_user refused it, and audited the refusal):
        # the person may read the case, so they are shown it and told why, not "not found".
        if isinstance(exception, access.RecordClosed):
            case = getattr(exception.obj, "case", exception.obj)
            messages.info(request, f"Case {case.reference} is closed, so it cannot be changed.")
            return redirect(exception.obj.get_absolute_url())
        return None


class SessionLifetimeMiddleware:
    """Ends a session after an idle period and, whatever happens, after an absolute lifetime.

    The last-seen time is written at most once a minute, so that a busy page does not write
    the session on every request.
    """

    TOUCH_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            # Both are set at sign-in (safeguard.signals); setdefault covers older sessions.
            started = session.setdefault("safeguard_started_at", now)
            last_seen = session.get("safeguard_last_seen", now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
            expired = now - started > settings.SESSION_COOKIE_AGE
            if idle or expired:
                user = request.user
                request._session_expired = True
                logout(request)
                audit.record(
                    request,
                    actor=user,
                    action=audit.Action.SESSION_EXPIRED,
                    detail="idle" if idle else "lifetime",
                )
                minutes = settings.SESSION_IDLE_TIMEOUT // 60
                messages.info(
                    request,
                    f"You were signed out after {minutes} minutes without activity. Sign in to "
                    "carry on."
                    if idle
                    else "You were signed out because you had been signed in for too long. "
                    "Sign in to carry on.",
                )
                if request.method == "POST":
                    stash_pending_post(request)
                if _from_script(request):
                    # A page's script (the draft autosave) cannot follow a redirect to sign
                    # in: tell it, so it can take the person there; what it sent is kept.
                    return JsonResponse(
                        {"signed_out": True, "sign_in": resolve_url(settings.LOGIN_URL)},
                        status=401,
                    )
                return redirect_to_login(
                    request.get_full_path() if request.method == "GET" else request.path
                )
            if now - last_seen >= self.TOUCH_EVERY or "safeguard_last_seen" not in session:
                session["safeguard_last_seen"] = now
        return self.get_response(request)


def _from_script(request) -> bool:
    return request.accepts("application/json") and not request.accepts("text/html")


PENDING_POSTS = "safeguard_pending_posts"


def stash_pending_post(request) -> None:
    """Keep a form (or a page's autosave) sent just after the session ran out, for the same
    address after sign-in.

    Only the new, signed-out session holds it; it is handed back to the page that asks for
    its address (see `pop_pending_post`), and it ends with that session if nobody signs in.
    """
    data = {
        k: v if len(v) > 1 else v[0] for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"
    }
    request.session[PENDING_POSTS] = {**request.session.get(PENDING_POSTS, {}), request.path: data}


def pop_pending_post(request, *also: str) -> dict | None:
    """What was sent to this address, and to the addresses `also` (a page names its autosave),
    when the session ran out; the later address's values win."""
    pending = request.session.get(PENDING_POSTS)
    if not pending:
        return None
    found = [pending.pop(path) for path in (*also, request.path) if path in pending]
    if not found:
        return None
    request.session[PENDING_POSTS] = pending
    return {k: v for data in found for k, v in data.items()}


class MfaRequiredMiddleware:
    """Leads, managers and administrators must enrol a second factor before anything else."""

    ALLOWED_PREFIXES = ("mfa_",)
    ALLOWED = {"account_logout", "account_reauthenticate", "exit", "health", "session_keep_alive"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.role not in access.PRIVILEGED:
            return None
        view_name = request.resolver_match.view_name
        if view_name in self.ALLOWED or view_name.startswith(self.ALLOWED_PREFIXES):
            return None
        # Remembered for the session: an MFA reset ends the user's sessions anyway.
        if request.session.get("safeguard_mfa_enrolled"):
            return None
        if user.has_mfa:
            request.session["safeguard_mfa_enrolled"] = True
            return None
        # The enrolment page says why; nothing else is reachable until it is done.
        return redirect("mfa_activate_totp")


class PermissionsPolicyMiddleware:
    """The Permissions-Policy header from settings.PERMISSIONS_POLICY, on every response
    (static files too: it sits before WhiteNoise)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


class NoStoreMiddleware:
    """Keeps signed-in pages out of browser and proxy caches.

    On a shared computer, the back button after "Exit this page" or signing out must not
    show a victim's record again from the cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise that reads the collected static files once a process, not once an instance.

    WhiteNoise stats and indexes every file under STATIC_ROOT (thousands: GOV.UK and MOJ
    Frontend, each with its hashed and compressed copies) when it is instantiated. Django
    makes the middleware once per handler: once a worker process in production, but once
    for every test client, which made that scan most of the test suite's time. The index of
    a directory is kept for the process, keyed by everything that shapes its responses;
    collected files do not change under a running process (collectstatic runs before it).
    """

    _indexes: dict[tuple, dict] = {}

    def update_files_dictionary(self, root, prefix):
        key = (
            root,
            prefix,
            self.max_age,
            self.allow_all_origins,
            self.charset,
            self.index_file,
            getattr(self.add_headers_function, "__qualname__", None),
            getattr(self.immutable_file_test, "__qualname__", None),
        )
        index = self._indexes.get(key)
        if index is None:
            before = dict(self.files)
            self.files = {}
            super().update_files_dictionary(root, prefix)
            index = self._indexes[key] = self.files
            self.files = {**before, **index}
        else:
            self.files.update(index)
