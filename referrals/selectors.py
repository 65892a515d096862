"""Reads of deadlines. Every deadline list starts from `deadlines_visible_to`.

A deadline is as visible as its case; the referral clock of a concern that triage has not yet
put in a case is as visible as the concern. Both are decided by the cases selectors, so a
restricted case's deadlines reach only the people who may open the case.
"""

from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Window

from cases.selectors import case_visibility, concern_visibility
from safeguard.access import LEADS
from safeguard.choices import Role
from safeguard.models import OrganisationSettings, User

from . import deadlines, owners
from .models import DUTIES, PERIODS, Deadline, Referral

# What a row of the deadline pages shows, fetched with the row: the query count stays flat.
ROW_RELATIONS = (
    "case",
    "case__team",
    "case__lead",
    "concern",
    "concern__team",
    "assignee",
    "team",
)


def all_deadlines_visible_to(user) -> QuerySet[Deadline]:
    """Deadlines, open or not, on cases or case-less concerns that `user` may see."""
    # Each row's case (or, for a concern's clock before triage, its concern) is checked
    # through the join, by the rule the cases selectors keep: no subquery per row, so that a
    # list costs what its rows cost.
    return Deadline.objects.filter(
        (Q(case__isnull=False) & case_visibility(user, "case__"))
        | (Q(case__isnull=True, concern__isnull=False) & concern_visibility(user, "concern__"))
        | owners.visible_to(user)
    )


def deadlines_visible_to(user) -> QuerySet[Deadline]:
    """Open deadlines on cases, or case-less concerns, that `user` may see."""
    return all_deadlines_visible_to(user).open()


def _chased_by(user) -> Q:
    # A deadline with no assignee falls to the case's lead (DOMAIN.md: reminders go to the lead).
    return Q(assignee=user) | Q(assignee__isnull=True, case__lead=user)


def chased_parts(user) -> list[QuerySet[Deadline]]:
    """The open deadlines `user` chases and may see, in parts that do not overlap, each found
    through its own index:

    - assigned to them, where they may see it (a deadline may be given to someone who
      cannot open its case: it stays hidden from them, as on every list);
    - unassigned on a case they lead: its lead may always open a case;
    - for a lead, the unassigned clocks of concerns not yet in a case, in their teams: a
      lead may see every such concern of their teams.

    So a list starts from the user's own rows, not from every open deadline in the
    organisation; a test checks that the parts hold exactly the visible deadlines they chase.
    Counting each part apart (dashboards' home) reads each row once.
    """
    if user.role not in (Role.LEAD, Role.MANAGER, Role.FRONTLINE):
        return [Deadline.objects.none()]
    open_rows = Deadline.objects.open()
    parts = [
        deadlines_visible_to(user).filter(assignee=user),
        open_rows.filter(assignee__isnull=True, case__lead=user),
    ]
    if user.role == Role.LEAD:
        parts.append(
            open_rows.filter(
                assignee__isnull=True,
                case__isnull=True,
                concern__case__isnull=True,
                concern__team__in=User.teams.through.objects.filter(user=user).values("team_id"),
            )
        )
    return parts


def _chased_ids(user) -> QuerySet:
    """The ids of chased_parts, in one subquery (UNION ALL)."""
    # No ORDER BY inside the parts (Deadline's default one): SQLite allows none in a UNION.
    first, *rest = (part.order_by().values("pk") for part in chased_parts(user))
    return first.union(*rest, all=True)


def most_urgent(parts: list[QuerySet[Deadline]], count: int) -> list[Deadline]:
    """The first `count` real deadlines (no "not before" markers) of `parts` (chased_parts),
    with what a row shows: one query over the parts (UNION ALL, ordered and cut), then their
    rows."""
    first, *rest = (
        part.filter(is_earliest=False).order_by().values_list("pk", "due_at") for part in parts
    )
    ids = [pk for pk, _ in first.union(*rest, all=True).order_by("due_at", "pk")[:count]]
    return _rows(ids, ("due_at", "pk"))


def _rows(ids: list[int], order) -> list[Deadline]:
    """The deadlines `ids`, with what a row shows, in `order`: joined only for these rows."""
    return list(Deadline.objects.filter(pk__in=ids).select_related(*ROW_RELATIONS).order_by(*order))


def my_deadlines(user) -> QuerySet[Deadline]:
    """The deadlines `user` chases, most urgent first.

    Assigned to them, or unassigned on a case they lead. A lead also gets the referral clock
    of a concern in one of their teams that is still waiting for triage: it has no case and
    no assignee yet, and triage is the leads' job. (Managers see those on the overdue page.)
    "Not before" markers are never overdue and come after every real deadline.
    """
    return (
        Deadline.objects.filter(pk__in=_chased_ids(user))
        .select_related(*ROW_RELATIONS)
        .order_by("is_earliest", "due_at", "pk")
    )


def page_of(deadlines: QuerySet[Deadline], number, per_page: int) -> tuple[Page, list[Deadline]]:
    """Page `number` of an ordered deadline list, and its rows with what a row shows.

    One query finds the page's ids and counts the whole list (COUNT(*) OVER ()), on the
    deadlines alone; a second joins only those rows. As a subquery, PostgreSQL plans the joins
    over every deadline before it meets the few ids; and counting apart would read the list
    twice. A number past the end gives the last page, as Paginator.get_page does.
    """
    paginator = Paginator(deadlines, per_page)
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    listed = deadlines.select_related(None).annotate(total=Window(Count("pk")))
    found = list(listed.values_list("pk", "total")[(number - 1) * per_page : number * per_page])
    if not found and number > 1:
        last = paginator.num_pages  # counts: only for a page past the end
        found = list(listed.values_list("pk", "total")[(last - 1) * per_page : last * per_page])
        number = last
    paginator.count = found[0][1] if found else 0  # Paginator.count is a cached property
    page = paginator.page(min(number, paginator.num_pages))
    return page, _rows([pk for pk, _ in found], deadlines.query.order_by)


def due_soon_cutoff(now: datetime) -> datetime:
    """The end (23:59:59 UK time) of the first working day after `now`'s UK date, in the
    organisation's nation: a deadline due by then is due "within one working day"."""
    return deadlines.end_of_working_days(now, 1, OrganisationSettings.load().nation)


def overdue_for_managers(
    user, *, now: datetime, team=None, lead=None, timer: str | None = None
) -> QuerySet[Deadline]:
    """Duties past due or due within one working day, most overdue first, and support periods
    ending within one working day (an ended period is not late, so it is not listed).

    `team` is the case's team (the concern's, before a case); `lead` is who chases it (the
    assignee, or the case's lead when there is none). "Not before" markers are never listed.
    """
    cutoff = due_soon_cutoff(now)
    rows = deadlines_visible_to(user).filter(
        (DUTIES & Q(open_due_at__lte=cutoff))
        | (PERIODS & Q(open_due_at__gt=now, open_due_at__lte=cutoff)),
        is_earliest=False,
    )
    if team is not None:
        rows = rows.filter(
            Q(case__team=team)
            | Q(case__isnull=True, concern__team=team)
            | Q(case__isnull=True, concern__isnull=True, team=team)
        )
    if lead is not None:
        rows = rows.filter(_chased_by(lead))
    if timer:
        rows = rows.filter(timer=timer)
    return rows.select_related(*ROW_RELATIONS).order_by("due_at", "pk")


def deadline_assignees() -> QuerySet[User]:
    """Who may chase a deadline: active safeguarding leads and managers."""
    return User.objects.filter(is_active=True, role__in=LEADS).order_by("full_name", "pk")


def deadline_visible_to(user, deadline: Deadline) -> bool:
    return deadlines_visible_to(user).filter(pk=deadline.pk).exists()


def case_referral_references(references: set[str]) -> set[str]:
    """For the audit log's person filter (safeguard.audit.references_of_person): the
    referrals of the cases among `references`."""
    return set(
        Referral.objects.filter(case__reference__in=references).values_list("reference", flat=True)
    )
