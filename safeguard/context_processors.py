from django.conf import settings

from . import access, navigation

SERVICE_NAME = "Safeguard"


def shell(request) -> dict:
    """What every page's shell needs. Runs no query: the user is already loaded."""
    match = getattr(request, "resolver_match", None)
    user = request.user
    mfa_required = user.is_authenticated and user.role in access.PRIVILEGED
    return {
        # For the MFA pages' wording: required for this role, and not set up yet.
        "mfa_required": mfa_required,
        "mfa_enrolment_pending": mfa_required and not request.session.get("safeguard_mfa_enrolled"),
        "service_name": SERVICE_NAME,
        "session_timeout": settings.SESSION_IDLE_TIMEOUT,
        "session_warning": settings.SESSION_IDLE_WARNING,
        "primary_navigation": navigation.items_for(request.user, match.view_name if match else ""),
    }
