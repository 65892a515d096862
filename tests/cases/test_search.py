"""Search (cases.selectors.search): each word a lead types is a name, an alias or a reference,
and on PostgreSQL each is found through an index (cases 0011), not by reading every person."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases import selectors
from tests.cases.factories import case_in


@pytest.fixture
def two_cases(world):
    ana = case_in(world, name="Ana Popescu")
    ana.person.aliases = "Anka, Ani"
    ana.person.save()
    ion = case_in(world, name="Ion Popescu")
    return ana, ion


def found(user, query: str) -> tuple[set, set]:
    results = selectors.search(user, query)
    return {p.name for p in results["people"]}, {c.reference for c in results["cases"]}


def test_each_word_is_a_name_an_alias_or_a_reference_whatever_its_case(world, two_cases):
    ana, ion = two_cases
    both = {"Ana Popescu", "Ion Popescu"}

    assert found(world.lead, "popescu") == (both, {ana.reference, ion.reference})
    assert found(world.lead, "ANKA pop") == ({"Ana Popescu"}, {ana.reference})
    assert found(world.lead, ion.person.reference.lower()) == ({"Ion Popescu"}, {ion.reference})
    # A case's reference is not its person's: the case alone is found, with or without a
    # word matching its person, and not with a word that matches neither.
    assert found(world.lead, ana.reference.lower()) == (set(), {ana.reference})
    assert found(world.lead, f"{ana.reference} ana") == (set(), {ana.reference})
    assert found(world.lead, f"{ana.reference} ion") == (set(), set())
    assert found(world.lead, f"{ana.reference} {ion.reference}") == (set(), set())
    assert found(world.lead_south, "popescu") == (set(), set())


def plans(user, query: str) -> str:
    """EXPLAIN of each query the search runs, with sequential scans priced out of reach, so
    that a plan reads a table whole only where no index can answer it."""
    with CaptureQueriesContext(connection) as captured:
        selectors.search(user, query)
    found = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query_run in captured.captured_queries:
            cursor.execute(f"EXPLAIN {query_run['sql']}")
            found.append("\n".join(row[0] for row in cursor.fetchall()))
    return "\n".join(found)


def test_search_reads_names_and_references_through_their_indexes_on_postgresql(world, two_cases):
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's; SQLite searches without them")
    ana, _ = two_cases

    plan = plans(world.lead, f"popescu {ana.reference}")

    assert "person_name_trgm_idx" in plan
    assert "person_aliases_trgm_idx" in plan
    assert "person_reference_upper_idx" in plan
    assert "case_reference_upper_idx" in plan
    assert "Seq Scan on cases_person" not in plan
    assert "Seq Scan on cases_case " not in plan
