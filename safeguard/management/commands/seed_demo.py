from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from safeguard.models import Nation, OrganisationSettings, Role, Team, User

# Synthetic people for the local demo only. The password is published in README.md, which is
# why this command refuses to run unless DEBUG is on.
DEMO_PASSWORD = "demo-safeguard-2026"  # noqa: S105
DEMO_TEAMS = ["North locality team", "South locality team"]
DEMO_USERS = [
    ("frontline@safeguard.test", "Robin Frontline", Role.FRONTLINE, ["North locality team"]),
    ("lead@safeguard.test", "Sam Lead", Role.LEAD, ["North locality team"]),
    ("lead.south@safeguard.test", "Alex Southlead", Role.LEAD, ["South locality team"]),
    ("manager@safeguard.test", "Morgan Manager", Role.MANAGER, DEMO_TEAMS),
    ("admin@safeguard.test", "Ash Admin", Role.ADMIN, []),
]


class Command(BaseCommand):
    help = "Create the synthetic demo organisation and one user per role (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo publishes a known password: it runs only with DEBUG on.")
        created = self.seed()
        call_command("seed_demo_contacts")
        call_command("seed_demo_cases")
        call_command("seed_demo_referrals")
        call_command("seed_demo_history")  # a year of figures for the statistics page
        if not created:
            self.stdout.write("Demo users already exist; sign in as before (see README.md).")
            return
        self.stdout.write(
            self.style.SUCCESS("Demo users created. Sign in at http://127.0.0.1:8000/")
        )
        self.stdout.write(f"Password for every demo user: {DEMO_PASSWORD}")
        for email, name, role, teams in created:
            where = f" ({', '.join(teams)})" if teams else ""
            self.stdout.write(f"  {Role(role).label:<24} {email:<28} {name}{where}")

    @transaction.atomic
    def seed(self) -> list[tuple]:
        organisation = OrganisationSettings.load()
        if organisation.name == OrganisationSettings._meta.get_field("name").default:
            organisation.name = "Demo Borough Council"
            organisation.nation = Nation.ENGLAND_AND_WALES
            organisation.is_first_responder = True
            organisation.holds_duty_to_notify = True
            organisation.full_clean()
            organisation.save()
        teams = {name: Team.objects.get_or_create(name=name)[0] for name in DEMO_TEAMS}
        created = []
        for email, name, role, team_names in DEMO_USERS:
            if User.objects.filter(email__iexact=email).exists():
                continue
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, role=role)
            user.teams.set([teams[team] for team in team_names])
            created.append((email, name, role, team_names))
        return created
