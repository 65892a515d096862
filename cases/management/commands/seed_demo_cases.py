import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from cases import closing, services
from cases.models import (
    Answer,
    Background,
    Case,
    ClosingCheck,
    Concern,
    ExploitationSituation,
    ExploitationType,
    Exploiter,
    FirstResponder,
    Indicator,
    Interview,
    Person,
    PoliceReport,
    RiskAssessment,
    RiskLevel,
    Setting,
    SupportDomain,
    SupportNeed,
    TriageOutcome,
    WhereNow,
)

# Synthetic people for the local demo. Any likeness to a real person is chance.
PEOPLE = [
    {
        "name": "Demo Person Alpha",
        "date_of_birth": dt.date(1994, 2, 11),
        "gender": "female",
        "nationalities": "Romanian",
        "languages": "Romanian",
        "interpreter_needed": True,
        "interpreter_language": "Romanian",
    },
    {
        "name": "Demo Person Bravo",
        "estimated_age": 16,
        "age_disputed": True,
        "gender": "male",
        "nationalities": "Vietnamese",
        "languages": "Vietnamese",
        "interpreter_needed": True,
        "interpreter_language": "Vietnamese",
    },
    {
        "name": "Demo Person Charlie",
        "date_of_birth": dt.date(1988, 7, 30),
        "gender": "male",
        "nationalities": "Albanian",
        "languages": "Albanian, some English",
    },
    {
        "name": "",
        "estimated_age": 30,
        "gender": "female",
        "nationalities": "Not known",
        "distinguishing_features": "Small scar above the left eyebrow (synthetic).",
    },
    {
        "name": "Demo Person Echo",
        "date_of_birth": dt.date(2009, 12, 1),
        "gender": "female",
        "nationalities": "British",
        "languages": "English",
    },
    {
        "name": "Demo Person Foxtrot",
        "date_of_birth": dt.date(1979, 4, 2),
        "gender": "male",
        "nationalities": "Polish",
        "languages": "Polish",
    },
]

CONCERNS = [
    # (person index, hours ago, setting, exploitation, indicators seen, vehicle, outcome)
    (
        0,
        70,
        Setting.HOTEL,
        ["sexual"],
        ["situational-spoken-for", "situational-documents-held"],
        "DM12 ABC",
        "case",
    ),
    (0, 20, Setting.HOSPITAL, ["sexual"], ["physical-injuries-control"], "", "case"),
    (1, 30, Setting.STREET, ["criminal"], ["child-county-lines"], "DM12 ABC", "case_restricted"),
    (
        2,
        5,
        Setting.WORKPLACE,
        ["labour"],
        ["ilo-withholding-of-wages", "situational-long-hours"],
        "DM34 XYZ",
        None,
    ),
    (3, 50, Setting.HOME_VISIT, ["domestic_servitude"], ["situational-not-free"], "", None),
    (4, 3, Setting.SCHOOL, ["sexual", "criminal"], ["child-older-boyfriend"], "", None),
    (5, 200, Setting.HOUSING, ["labour"], ["situational-lives-at-work"], "DM34 XYZ", "nfa"),
    (2, 150, Setting.GP, ["labour"], ["ilo-debt-bondage"], "", "signposted"),
    (5, 400, Setting.WORKPLACE, ["labour"], ["ilo-excessive-overtime"], "", "case_closed"),
    (3, 10, Setting.PHONE, ["unknown"], [], "", None),
    (4, 90, Setting.SCHOOL, ["criminal"], ["child-not-in-school"], "", "case"),
    (1, 8, Setting.TRANSPORT, ["criminal"], ["child-travelling-alone"], "", None),
]


class Command(BaseCommand):
    help = "Add a dozen synthetic concerns and cases in different states (DEBUG only)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo_cases is for the local demo: it runs only with DEBUG on.")
        if Concern.objects.exists():
            self.stdout.write("Demo concerns already exist.")
            return
        User = get_user_model()
        frontline = User.objects.get(email="frontline@safeguard.test")
        lead = User.objects.get(email="lead@safeguard.test")
        people = [Person(**fields) for fields in PEOPLE]
        saved: dict[int, Person] = {}
        cases: dict[int, Case] = {}
        now = timezone.now()
        for index, hours, setting, types, seen, vehicle, outcome in CONCERNS:
            person = saved.get(index, people[index])
            concern = services.concern_submit(
                request=_request(frontline),
                person=person,
                concern=Concern(
                    observed_at=now - dt.timedelta(hours=hours + 1),
                    location="Demo Town",
                    setting=setting,
                    observer_account="Synthetic demo account: what the practitioner saw and "
                    "heard, written in their own words.",
                    persons_words="Synthetic words of the person, kept apart.",
                ),
                exploitation_types=ExploitationType.objects.filter(code__in=types),
                observations=[
                    services.Observation(indicator, Answer.OBSERVED)
                    for indicator in Indicator.objects.filter(code__in=seen)
                ],
                links=[services.Link("vehicle", vehicle)] if vehicle else [],
            )
            Concern.objects.filter(pk=concern.pk).update(
                submitted_at=now - dt.timedelta(hours=hours)
            )
            saved[index] = concern.person
            if outcome is None:
                continue
            if outcome == "nfa":
                services.concern_triage(
                    request=_request(lead),
                    concern=concern,
                    outcome=TriageOutcome.NO_FURTHER_ACTION,
                    reason="Synthetic: checked, and no concern remained.",
                )
            elif outcome == "signposted":
                from contacts.models import Organisation

                services.concern_triage(
                    request=_request(lead),
                    concern=concern,
                    outcome=TriageOutcome.SIGNPOSTED,
                    signposted_to=Organisation.objects.filter(reference_key="acas").first()
                    or Organisation.objects.first(),
                )
            elif index in cases:
                services.concern_triage(
                    request=_request(lead),
                    concern=concern,
                    outcome=TriageOutcome.EXISTING_CASE,
                    case=cases[index],
                )
            else:
                services.concern_triage(
                    request=_request(lead),
                    concern=concern,
                    outcome=TriageOutcome.NEW_CASE,
                    lead=lead,
                )
                concern.refresh_from_db()
                case = cases[index] = concern.case
                self._develop(case, lead, outcome)
        self.stdout.write(f"Demo cases: {len(CONCERNS)} concerns, {len(cases)} cases.")

    def _develop(self, case: Case, lead, outcome: str) -> None:
        request = _request(lead)
        services.risk_assessment_add(
            request=request,
            assessment=RiskAssessment(
                case=case,
                level=RiskLevel.HIGH if outcome != "case_closed" else RiskLevel.LOW,
                community_safe=False,
                family_risk=None,
                public_funds=False,
                summary="Synthetic risk assessment for the demo.",
                review_on=timezone.localdate() + dt.timedelta(days=14),
            ),
        )
        services.support_plan_save(
            request=request,
            case=case,
            rows=[
                services.PlanRow(
                    need=SupportNeed(
                        case=case,
                        domain=domain,
                        need="Synthetic need for the demo",
                        action="Refer to a local service",
                        owner_user=lead,
                        target_date=timezone.localdate() + dt.timedelta(days=7),
                    )
                )
                for domain in (SupportDomain.ACCOMMODATION, SupportDomain.LEGAL)
            ],
        )
        for part in (
            ExploitationSituation(
                case=case,
                started_on=timezone.localdate() - dt.timedelta(days=200),
                dates_approximate=True,
                uk_places="Demo Town",
                kinds=["forced_work", "wages_taken"],
                how_it_started="Synthetic: offered work by someone met online.",
                journey="Synthetic: a coach, paid for by the recruiter.",
                work_and_hours="Synthetic: twelve hours a day, six days a week.",
                living_conditions="Synthetic: a shared room above the workplace.",
                control="Synthetic: documents kept by the employer; a debt for travel.",
                how_it_ended="Synthetic: told a visiting nurse.",
                under_18_during="no",
            ),
            Exploiter(
                case=case,
                names="Synthetic Employer",
                gender="male",
                relation="employer",
                vehicles="DE00 MOA",
            ),
            PoliceReport(case=case, reported="yes", forces="Demo Police", cooperating="not_sure"),
            WhereNow(
                case=case,
                where_now="Synthetic: a refuge in Demo Town.",
                phone="01632 960000",
                phone_safe="yes",
                post_safe="no",
                letter_to="person",
            ),
            Background(case=case, place_of_birth="Demo City", children=0),
            FirstResponder(
                case=case, name=lead.full_name, role="Safeguarding lead", organisation="Demo"
            ),
            Interview(case=case, judgement="Synthetic: the account was consistent."),
        ):
            services.case_record_save(request=request, part=part, changed_fields=[])
        services.case_note_add(
            request=request,
            case=case,
            title="Strategy discussion",
            text="Synthetic note: agreed next steps with the police.",
        )
        if outcome == "case_restricted":
            services.case_set_restriction(request=request, case=case, restricted=True, members=[])
        if outcome == "case_closed":
            services.case_close(
                request=request,
                case=case,
                reason="Synthetic: risk reduced and support in place.",
                confirmed=closing.Confirmed(
                    safety_plan_reviewed=True,
                    papers_complete=True,
                    signposted_to="Synthetic: a local support service.",
                ),
                overrides={code: "Synthetic demo closure." for code in ClosingCheck.values},
            )


def _request(user):
    request = RequestFactory().post("/seed-demo/")
    request.user = user
    request.request_id = ""
    return request
