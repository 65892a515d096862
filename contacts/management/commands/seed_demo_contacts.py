import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contacts.models import Category, Organisation
from contacts.phones import normalise
from contacts.services import Period, PhoneEntry, organisation_save
from safeguard.choices import Pathway

# Synthetic local services for the demo organisation. Numbers are in Ofcom's ranges for
# drama (0161 496 0xxx), so none of them reaches a real person.
LOCAL = [
    {
        "name": "Demo Borough Children's Services: front door",
        "summary": "Safeguarding referrals for children, in office hours.",
        "categories": [Category.CHILDRENS_SERVICES],
        "pathways": [Pathway.CHILDRENS_SERVICES],
        "phones": [("Front door", "0161 496 0100")],
        "hours": [(day, dt.time(9), dt.time(17)) for day in range(5)],
        "hours_note": "Out of hours, call the emergency duty team.",
        "first_responder": True,
        "on_card": True,
    },
    {
        "name": "Demo Borough emergency duty team",
        "summary": "Children's and adults' social care emergencies out of office hours.",
        "categories": [Category.CHILDRENS_SERVICES, Category.ADULT_SOCIAL_CARE],
        "pathways": [Pathway.CHILDRENS_SERVICES],
        "phones": [("Out of hours", "0161 496 0199")],
        # Weeknights from 17:00 to 09:00; all weekend (a period closing when it opens runs
        # for the whole day).
        "hours": [(day, dt.time(17), dt.time(9)) for day in range(5)]
        + [(5, dt.time(0), dt.time(0)), (6, dt.time(0), dt.time(0))],
        "on_card": True,
    },
    {
        "name": "Demo Police safeguarding hub (MASH)",
        "summary": "Police partner in the multi-agency safeguarding hub.",
        "categories": [Category.POLICE, Category.FIRST_RESPONDER],
        "pathways": [Pathway.POLICE, Pathway.NRM],
        "phones": [("Hub", "0161 496 0200")],
        "hours": [(day, dt.time(8), dt.time(18)) for day in range(5)],
        "first_responder": True,
    },
    {
        "name": "Demo Borough Council: modern slavery single point of contact",
        "summary": "Makes NRM referrals and Duty to Notify reports for the council.",
        "categories": [Category.FIRST_RESPONDER],
        "pathways": [Pathway.NRM, Pathway.DUTY_TO_NOTIFY],
        "phones": [("Direct line", "0161 496 0300")],
        "hours": [(day, dt.time(9), dt.time(17)) for day in range(5)],
        "first_responder": True,
    },
    {
        "name": "Demo Refuge safe house",
        "summary": "Emergency accommodation for adults leaving exploitation.",
        "categories": [Category.VICTIM_SUPPORT],
        "pathways": [Pathway.SUPPORT_SERVICE],
        "phones": [("Referrals, 24 hours", "0161 496 0400")],
        "open_24_7": True,
    },
    {
        "name": "Demo Community Interpreting",
        "summary": "Telephone and face-to-face interpreters, booked by the hour.",
        "categories": [Category.INTERPRETING],
        "phones": [("Bookings", "0161 496 0500")],
        "hours": [(day, dt.time(8), dt.time(20)) for day in range(7)],
        "languages": "Over 100 languages, including Albanian, Vietnamese, Romanian and Tigrinya",
    },
]


class _SystemRequest:
    """Audit events for demo data name no person and no address."""

    user = AnonymousUser()
    path = "/seed-demo/"
    META: dict = {}
    request_id = ""


class Command(BaseCommand):
    help = "Add synthetic local services to the contacts directory (DEBUG only)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo_contacts is for the local demo: it runs only with DEBUG on."
            )
        request = _SystemRequest()
        added = 0
        for entry in LOCAL:
            if Organisation.objects.filter(name=entry["name"]).exists():
                continue
            organisation_save(
                request=request,
                organisation=Organisation(
                    name=entry["name"],
                    summary=entry["summary"],
                    is_first_responder=entry.get("first_responder", False),
                    open_24_7=entry.get("open_24_7", False),
                    hours_note=entry.get("hours_note", ""),
                    languages=entry.get("languages", ""),
                    areas="Demo Borough",
                    on_card=entry.get("on_card", False),
                    last_verified_on=dt.date(2026, 11, 1),
                ),
                changed_fields=[],
                categories=entry["categories"],
                pathways=entry.get("pathways", []),
                phones=[PhoneEntry(label, normalise(number)) for label, number in entry["phones"]],
                hours=[Period(d, o, c) for d, o, c in entry.get("hours", [])],
            )
            added += 1
        self.stdout.write(f"Demo contacts: {added} local service(s) added.")
