from . import navigation

SERVICE_NAME = "Safeguard"


def shell(request) -> dict:
    """What every page's shell needs. Runs no query: the user is already loaded."""
    match = getattr(request, "resolver_match", None)
    return {
        "service_name": SERVICE_NAME,
        "primary_navigation": navigation.items_for(request.user, match.view_name if match else ""),
    }
