"""Count the managers' statistics again now, as beat does every few minutes (after loading
data in bulk, or to see how long it takes)."""

from django.core.management.base import BaseCommand

from dashboards import kept


class Command(BaseCommand):
    help = "Count the kept statistics again from the records."

    def handle(self, *args, **options):
        done = kept.refresh()
        if done is None:
            self.stdout.write("Another refresh is running; these figures come from it.")
        else:
            self.stdout.write(f"Statistics counted in {done.seconds:.1f} s.")
