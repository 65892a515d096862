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
