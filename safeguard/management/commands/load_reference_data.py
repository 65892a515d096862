from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Load every reference-data fixture in fixtures/ (safe to run again: rows keep their keys)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=str(settings.BASE_DIR / "fixtures"))

    def handle(self, *args, directory: str, **options):
        fixtures = sorted(Path(directory).glob("*.json"))
        for fixture in fixtures:
            call_command("loaddata", str(fixture), verbosity=0)
            self.stdout.write(f"Loaded {fixture.name}")
        self.stdout.write(self.style.SUCCESS(f"Reference data: {len(fixtures)} fixture file(s)."))
