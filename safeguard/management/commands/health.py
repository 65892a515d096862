"""The checks /health/ runs, from a shell: for the health checks of containers that serve no
HTTP (docker-compose's beat runs `manage.py health --check sweep`)."""

import json

from django.core.management.base import BaseCommand, CommandError

from safeguard import health


class Command(BaseCommand):
    help = (
        "Print what /health/ reports (database, broker, cache, sweep) as JSON; exit 1 when a "
        "check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="append",
            choices=list(health.CHECKS),
            dest="checks",
            help="run only this check (repeat for more); all of them by default",
        )

    def handle(self, *args, checks: list[str] | None, **options):
        answer = health.report(checks)
        self.stdout.write(json.dumps(answer))
        if answer["status"] != "ok":
            failing = ", ".join(name for name, check in answer["checks"].items() if not check["ok"])
            raise CommandError(f"failing: {failing}")
