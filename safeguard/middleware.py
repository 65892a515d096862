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
