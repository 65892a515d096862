from django.apps import AppConfig

from safeguard.navigation import NavItem


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention and disposal"
    navigation = (NavItem("Retention", "retention:due", order=550),)

    def ready(self):
        from . import blockers, checks

        blockers.register(checks.legal_hold)
        blockers.register(checks.open_again)
        # A prepared document is kept as long as the schedule's row says.
        from documents import keeping

        from .schedule import Kind
        from .selectors import rules

        keeping.provide(lambda: rules()[Kind.PREPARED_DOCUMENT].length)
