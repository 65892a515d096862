from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load the reference data in fixtures/ (safe to run again). Rows are matched by their "
        "natural key. Models marked `reference_data_keeps_local_edits` (reference data that "
        "administrators edit, such as indicators) only gain new rows; others (national "
        "directory entries) are updated to the shipped version."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=str(settings.BASE_DIR / "fixtures"))

    @transaction.atomic
    def handle(self, *args, directory: str, **options):
        fixtures = sorted(Path(directory).glob("*.json"))
        for fixture in fixtures:
            added = updated = kept = 0
            for item in serializers.deserialize("json", fixture.read_text()):
                exists = item.object.pk is not None
                if exists and getattr(type(item.object), "reference_data_keeps_local_edits", False):
                    kept += 1
                    continue
                item.save()
                added, updated = (added, updated + 1) if exists else (added + 1, updated)
            self.stdout.write(f"{fixture.name}: {added} added, {updated} updated, {kept} kept")
        self.stdout.write(self.style.SUCCESS(f"Reference data: {len(fixtures)} fixture file(s)."))
