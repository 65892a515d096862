"""The notice for the police and prosecutors that a person exploited into crime may have a
defence (issue 18, item 4). Shown on the case and carried in the referral pack wherever the
case's concerns name criminal exploitation or county lines, or the person may be a child.

Each nation has its own law, checked against legislation.gov.uk and COPFS (the sources are in
each notice): England and Wales a statutory defence (Modern Slavery Act 2015 s.45, not for
the offences of Schedule 4); Northern Ireland its own (the 2015 Act (NI) s.22, not for the
more serious offences it excludes); Scotland no statutory defence but the Lord Advocate's
instructions on prosecuting victims (the 2015 Act s.8).
"""

from dataclasses import dataclass

# The ExploitationType code for criminal exploitation (fixtures/exploitation_types.json).
CRIMINAL = "criminal"


@dataclass(frozen=True)
class DefenceNotice:
    title: str
    text: str
    source: str


NOTICES: dict[str, DefenceNotice] = {
    "ENG": DefenceNotice(
        title="They may have the statutory defence for victims (Modern Slavery Act 2015 s.45)",
        text=(
            "Tell the police and any prosecutor that this person may have been exploited into "
            "offending. An adult is not guilty of an offence they were compelled to commit "
            "because of their slavery or exploitation, where a reasonable person in their "
            "situation would have had no realistic alternative. Someone under 18 at the time "
            "does not need to have been compelled: it is enough that they offended as a direct "
            "result of being a victim, and that a reasonable person in their situation would "
            "have done the same. The defence does not cover the serious offences listed in "
            "Schedule 4 to the Act, such as murder, manslaughter, kidnapping, robbery and "
            "serious violent or sexual offences."
        ),
        source=(
            "Modern Slavery Act 2015, s.45 and Schedule 4 (legislation.gov.uk); College of "
            'Policing, Authorised Professional Practice, "Section 45 statutory defence".'
        ),
    ),
    "NIR": DefenceNotice(
        title=(
            "They may have the statutory defence for victims (Human Trafficking and "
            "Exploitation (Criminal Justice and Support for Victims) Act (Northern Ireland) "
            "2015, s.22)"
        ),
        text=(
            "Tell the police and the Public Prosecution Service that this person may have "
            "been exploited into offending. Northern Ireland's defence works much as in "
            "England and Wales: an adult compelled to offend by their slavery or exploitation, "
            "with no realistic alternative, and a child who offended as a direct result of "
            "being a victim, are not guilty. It does not apply to the more serious offences "
            "the Act excludes (s.22(9))."
        ),
        source=(
            "Human Trafficking and Exploitation (Criminal Justice and Support for Victims) Act "
            "(Northern Ireland) 2015, s.22, and its Explanatory Notes (legislation.gov.uk)."
        ),
    ),
    "SCT": DefenceNotice(
        title=(
            "Prosecutors must consider whether they offended because they were trafficked "
            "(Human Trafficking and Exploitation (Scotland) Act 2015, s.8)"
        ),
        text=(
            "Scotland has no statutory defence like the one in England and Wales. Instead the "
            "Lord Advocate's instructions, made under s.8 of the 2015 Act, set a strong "
            "presumption against prosecuting someone for an offence they committed because "
            "they were trafficked or exploited, adult or child. Tell Police Scotland and the "
            "Procurator Fiscal that this person may have been exploited into offending."
        ),
        source=(
            "Human Trafficking and Exploitation (Scotland) Act 2015, s.8; Crown Office and "
            "Procurator Fiscal Service, \"Lord Advocate's instructions for non-prosecution of "
            'victims of human trafficking" (first published 24 May 2016, updated 25 August '
            "2021)."
        ),
    ),
}


def criminal_exploitation(concerns) -> bool:
    """Whether any of the concerns names criminal exploitation or county lines."""
    return any(
        concern.county_lines
        or any(kind.code == CRIMINAL for kind in concern.exploitation_types.all())
        for concern in concerns
    )


def defence_notice(*, concerns, child: bool, nation: str) -> DefenceNotice | None:
    """The notice for the case's nation, where it applies: criminal exploitation, or a child
    (exploited children are often made to offend: drug running, theft, cannabis growing)."""
    if child or criminal_exploitation(concerns):
        return NOTICES[nation]
    return None
