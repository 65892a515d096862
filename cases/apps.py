from django.apps import AppConfig

from safeguard.access import CASEWORK, LEADS
from safeguard.navigation import NavItem


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Concerns and cases"
    navigation = (
        NavItem(
            "Log a concern",
            "cases:concern_start",
            roles=CASEWORK,
            order=100,
            section="cases:concern",
        ),
        NavItem(
            "Your concerns",
            "cases:my_concerns",
            roles=CASEWORK,
            order=110,
            section="cases:my_concerns",
        ),
        NavItem("Triage", "cases:triage_queue", roles=LEADS, order=200, section="cases:triage"),
        NavItem("Cases", "cases:case_list", roles=CASEWORK, order=300, section="cases:case"),
        NavItem("Search", "cases:search", roles=CASEWORK, order=400, section="cases:search"),
    )
