"""The access policy: who may do what. Deny by default; one table for pages, one for records.

Pages: `URL_RULES` names, for every URL in the URLconf, who may open it. The middleware
(`AccessPolicyMiddleware`) enforces it on every request, and tests/security walks the URLconf
against the same table, so a new URL without a rule fails the suite.

Records: `RECORD_RULES` maps role x relation to the record -> allowed actions; a restricted
record keeps only its named people's rights and a closed one only the reads. A model that
holds personal data says how a user relates to one of its rows (`relations_to(user)`) and
which rows a user may list (`visible_to(user)`, the one scoping selector). Views fetch a row
only through `get_for_user`, which answers 404 when the user may not know the row exists.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.http import Http404

from .choices import Role


class Action(StrEnum):
    SEE_EXISTENCE = "see_existence"  # that a restricted case exists and who to ask; no content
    VIEW = "view"
    EDIT = "edit"  # change the case record, triage, close
    ADD_NOTE = "add_note"
    REFER = "refer"
    EXPORT = "export"
    MANAGE_MEMBERS = "manage_members"  # who may see the case: restrict it, name members
    REASSIGN = "reassign"  # give a deadline to someone else to chase
    SEE_VIEWERS = "see_viewers"  # who has looked at the case: for those answerable for it
    REOPEN = "reopen"  # reopen a closed case, with a reason: those who could close it


class Relation(StrEnum):
    REPORTER = "reporter"  # logged the concern
    CASE_LEAD = "case_lead"
    NAMED_MEMBER = "named_member"  # added to the case by name (restricted or not)
    TEAM_MEMBER = "team_member"  # the case belongs to one of the user's teams
    ORGANISATION = "organisation"  # anyone in the organisation: managers' view


# --- Records -------------------------------------------------------------------------------

# Whoever may read a record may also know that it exists: SEE_EXISTENCE goes with VIEW.
_READ = frozenset({Action.SEE_EXISTENCE, Action.VIEW})
_WORK = _READ | {Action.EDIT, Action.ADD_NOTE, Action.REFER, Action.EXPORT, Action.REOPEN}
_READ_AND_NOTE = _READ | {Action.ADD_NOTE}
# The lead of a case answers for it: they decide who may see it, who chases its deadlines,
# and see who has looked at it. A lead may not restrict or reassign a colleague's case.
_ANSWERABLE = frozenset({Action.MANAGE_MEMBERS, Action.REASSIGN, Action.SEE_VIEWERS})

RECORD_RULES: dict[Role, dict[Relation, frozenset[Action]]] = {
    Role.FRONTLINE: {
        Relation.REPORTER: _READ_AND_NOTE,
        Relation.NAMED_MEMBER: _READ_AND_NOTE,
    },
    Role.LEAD: {
        Relation.REPORTER: _READ_AND_NOTE,
        Relation.CASE_LEAD: _WORK | _ANSWERABLE,
        Relation.NAMED_MEMBER: _WORK,
        Relation.TEAM_MEMBER: _WORK,
    },
    Role.MANAGER: {
        Relation.REPORTER: _READ_AND_NOTE,
        Relation.CASE_LEAD: _WORK | _ANSWERABLE,
        Relation.NAMED_MEMBER: _WORK | _ANSWERABLE,
        Relation.TEAM_MEMBER: _WORK | _ANSWERABLE,
        Relation.ORGANISATION: _READ | {Action.EXPORT} | _ANSWERABLE,
    },
    # Administrators run the system, not cases: no case data through their role.
    Role.ADMIN: {},
}

# What survives when a record is restricted: only named members (and its lead) keep their
# rights; a manager outside it may know that it exists and who to ask, nothing more.
RESTRICTED_KEEPS = frozenset({Relation.CASE_LEAD, Relation.NAMED_MEMBER, Relation.REPORTER})
RESTRICTED_OUTSIDER: dict[Role, frozenset[Action]] = {
    Role.MANAGER: frozenset({Action.SEE_EXISTENCE}),
}

# A closed case is read-only for everyone: what survives are the reads. Its record can still
# be exported (a court may ask for the chronology), its viewers seen, and it can be reopened
# (with a reason, by those who could work on it), after which it is open and changes again.
CLOSED_KEEPS = frozenset(
    {Action.SEE_EXISTENCE, Action.VIEW, Action.EXPORT, Action.SEE_VIEWERS, Action.REOPEN}
)


def allowed_actions(
    user, relations: set[Relation], *, restricted: bool, closed: bool = False
) -> frozenset[Action]:
    """The pure rule: a role, how the user relates to the record, whether it is restricted,
    whether it is closed."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    role = Role(user.role)
    if restricted:
        kept = relations & RESTRICTED_KEEPS
        if not kept:
            return RESTRICTED_OUTSIDER.get(role, frozenset())
        relations = kept
    rules = RECORD_RULES[role]
    actions: frozenset[Action] = frozenset()
    for relation in relations:
        actions |= rules.get(relation, frozenset())
    return actions & CLOSED_KEEPS if closed else actions


def actions_on(user, obj) -> frozenset[Action]:
    # A record that is reached through others (a person, through their concerns and cases)
    # says so by answering for itself from those records' rules.
    if hasattr(obj, "actions_for"):
        return frozenset(obj.actions_for(user))
    return allowed_actions(
        user,
        set(obj.relations_to(user)),
        restricted=bool(getattr(obj, "is_restricted", False)),
        closed=bool(getattr(obj, "is_closed", False)),
    )


def may_reassign(user, deadline) -> bool:
    """REASSIGN on a deadline's record, from the tables. Only the relations that can carry
    REASSIGN are worked out (leading the case, and being in the organisation, which everyone
    signed in is), so that a list of deadlines asks this of every row without a query; a test
    checks that no other relation would change the answer."""
    case = deadline.case
    relations = {Relation.ORGANISATION}
    if case is not None and case.lead_id == user.pk:
        relations.add(Relation.CASE_LEAD)
    allowed = allowed_actions(
        user,
        relations,
        restricted=bool(case is not None and case.is_restricted),
        closed=bool(case is not None and case.is_closed),
    )
    return Action.REASSIGN in allowed


class RecordClosed(Http404):
    """The action would be allowed if the record were open. The user may know the record
    (they may read it), so the middleware answers with its page and says why, instead of
    "not found"; a view never needs to check."""

    def __init__(self, obj, action: Action):
        super().__init__(f"{obj} is closed")
        self.obj = obj
        self.action = action


@dataclass(frozen=True)
class Granted:
    obj: object
    actions: frozenset[Action]

    def can(self, action: Action) -> bool:
        return action in self.actions


def get_for_user(
    request, queryset, *, action: Action = Action.VIEW, audit_read: bool = True, **lookup
) -> Granted:
    """The one way a view fetches a record: the row, and what this user may do with it.

    Grants `action` only to those who hold it, and answers 404 both when the row does not
    exist and when the user may not (so that the two cannot be told apart); the refusal is
    recorded in the audit trail. A read (view or export) is recorded too, unless the caller
    records it itself (`audit_read=False`: an export is recorded once the document exists,
    saying what it was).

    The existence-only grant is never a default: the one page that tells a manager outside a
    restricted case "this case exists, ask its lead" asks for `Action.SEE_EXISTENCE` by name
    and shows the content only if the grant also holds VIEW.
    """
    from . import audit

    model = queryset.model
    if hasattr(queryset, "for_relations"):
        # The model's queryset can say how the user relates to a row in the fetch itself.
        queryset = queryset.for_relations(request.user)
    try:
        obj = queryset.get(**lookup)
    except model.DoesNotExist:
        raise Http404 from None
    actions = actions_on(request.user, obj)
    if action not in actions:
        closed = bool(getattr(obj, "is_closed", False)) and Action.VIEW in actions
        detail = f"{action} (closed)" if closed else str(action)
        audit.record(request, action=audit.Action.ACCESS_DENIED, obj=obj, detail=detail)
        if closed:
            raise RecordClosed(obj, action)
        raise Http404
    if audit_read and action in (Action.VIEW, Action.EXPORT, Action.SEE_EXISTENCE):
        if action == Action.SEE_EXISTENCE:
            detail = "" if Action.VIEW in actions else "existence only"
            audit.record(request, action=audit.Action.VIEW, obj=obj, detail=detail)
        else:
            audit.record(request, action=audit.Action(str(action)), obj=obj)
    return Granted(obj, actions)


# --- Pages ---------------------------------------------------------------------------------

PUBLIC = "public"  # no sign-in: the sign-in pages, health, exit
NOBODY: frozenset[Role] = frozenset()  # features switched off
SIGNED_IN = frozenset(Role)  # any signed-in user
PRIVILEGED = frozenset({Role.LEAD, Role.MANAGER, Role.ADMIN})  # must use MFA
OVERSIGHT = frozenset({Role.MANAGER, Role.ADMIN})
DIRECTORY_EDITORS = frozenset({Role.LEAD, Role.ADMIN})
CASEWORK = frozenset({Role.FRONTLINE, Role.LEAD, Role.MANAGER})  # not administrators
LEADS = frozenset({Role.LEAD, Role.MANAGER})
# Statistics are about cases, even counted: managers, not administrators (who run the system).
MANAGERS = frozenset({Role.MANAGER})

# URL name (namespaced, as `resolve()` gives it) or a prefix ending in "*" -> who may open it.
URL_RULES: dict[str, str | frozenset[Role]] = {
    "home": SIGNED_IN,
    "health": PUBLIC,
    "health_live": PUBLIC,
    "exit": PUBLIC,
    "session_keep_alive": SIGNED_IN,
    "notifications": SIGNED_IN,
    "audit_log": OVERSIGHT,
    "audit_log_export": OVERSIGHT,
    # The contacts directory: everyone reads it; leads and administrators keep it up to date.
    "contacts:directory": SIGNED_IN,
    "contacts:detail": SIGNED_IN,
    "contacts:card": SIGNED_IN,
    "contacts:card_pdf": SIGNED_IN,
    "contacts:who_to_call": SIGNED_IN,
    "contacts:vcard": SIGNED_IN,
    "contacts:person_vcard": SIGNED_IN,
    "contacts:create": DIRECTORY_EDITORS,
    "contacts:edit": DIRECTORY_EDITORS,
    "contacts:verify": DIRECTORY_EDITORS,
    "contacts:person_create": DIRECTORY_EDITORS,
    "contacts:person_edit": DIRECTORY_EDITORS,
    "contacts:person_remove": DIRECTORY_EDITORS,
    # Concerns: anyone who works with people may log one; what they then see is decided per
    # record (RECORD_RULES through get_for_user and the cases selectors).
    "cases:my_concerns": CASEWORK,
    "cases:concern_start": CASEWORK,
    "cases:draft_edit": CASEWORK,
    "cases:draft_call_999": CASEWORK,
    "cases:draft_autosave": CASEWORK,
    "cases:draft_delete": CASEWORK,
    "cases:concern_detail": CASEWORK,
    "cases:concern_next_steps": CASEWORK,
    "cases:concern_addendum": CASEWORK,
    "cases:search": CASEWORK,
    "cases:person_photo": CASEWORK,
    # Two records of one person made one: EDIT on both, and every case of the two in view.
    "cases:person_merge": LEADS,
    # Triage and cases: leads and managers (frontline see cases they are named on).
    "cases:triage_queue": LEADS,
    "cases:concern_triage": LEADS,
    "cases:case_list": CASEWORK,
    "cases:case_detail": CASEWORK,
    "cases:case_chronology": CASEWORK,
    "cases:case_record": CASEWORK,
    "cases:case_record_add": LEADS,
    "cases:case_record_edit": LEADS,
    "cases:case_support": CASEWORK,
    "cases:case_support_plan": LEADS,
    "cases:case_support_start": LEADS,
    "cases:case_support_agreement": LEADS,
    "cases:case_risk": CASEWORK,
    "cases:case_members": LEADS,
    "cases:case_close": LEADS,
    "cases:case_reopen": LEADS,
    # Referrals and deadlines: per record through get_for_user (REFER to change).
    "referrals:case_referrals": CASEWORK,
    "referrals:age_settle": LEADS,
    "referrals:guardian_not_needed": LEADS,
    "referrals:correct": LEADS,
    "referrals:detail": CASEWORK,
    "referrals:transition": LEADS,
    "referrals:consent": LEADS,
    "referrals:case_sharing": CASEWORK,
    "referrals:sharing_withdraw": LEADS,
    "referrals:task_list": CASEWORK,
    "referrals:check_answers": LEADS,  # it holds "Record as submitted"
    "referrals:answers": CASEWORK,
    # Documents are exports: EXPORT on the record (leads and managers), each one audited.
    "documents:pack": LEADS,
    "documents:pack_preview": LEADS,
    "documents:pack_with_evidence": LEADS,
    "documents:evidence_add": LEADS,  # EDIT on the case
    "documents:evidence_download": LEADS,
    "documents:case_documents": LEADS,
    "documents:missing_person": LEADS,
    "documents:chronology_pdf": LEADS,
    "documents:document_job": LEADS,
    "documents:document_job_download": LEADS,
    # Subject access (issue 21, item 3): the bundle is everything about a person, other
    # people's details and staff names included until redacted, so only those who may export
    # a whole record and decide what others may see: leads and managers (the record rules
    # then ask for EXPORT on every one of the person's records). Frontline staff see only
    # their own concerns; administrators hold no case data.
    "subject_access:*": LEADS,
    "referrals:deadlines": LEADS,
    "referrals:deadline_rules": SIGNED_IN,  # how deadlines are counted: no case data
    "referrals:overdue": LEADS,
    "referrals:overdue_export": LEADS,
    "referrals:deadline_reassign": LEADS,
    "dashboards:statistics": MANAGERS,
    "dashboards:statistics_export": MANAGERS,
    # Retention (issue 21): managers decide on records; the officer's page holds no case data.
    "retention:due": MANAGERS,
    "retention:review": MANAGERS,
    "retention:data_protection": OVERSIGHT,
    # The Django admin: administrators, and only with MFA (safeguard.admin_site).
    "admin:*": frozenset({Role.ADMIN}),
    # Sign-in, password reset from an invitation or reset email, MFA at sign-in.
    "account_login": PUBLIC,
    "account_logout": PUBLIC,  # also cancels a sign-in stopped at the MFA step
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_change_password": SIGNED_IN,
    "account_set_password": SIGNED_IN,
    "account_inactive": PUBLIC,
    "account_signup": PUBLIC,  # answers "sign-up is closed"
    "account_reauthenticate": SIGNED_IN,  # confirm the password before changing MFA
    # Switched off: email addresses are set by administrators; no sign-in by emailed code.
    "account_email": NOBODY,
    "account_email_verification_sent": NOBODY,
    "account_confirm_email": NOBODY,
    "account_confirm_login_code": NOBODY,
    "mfa_authenticate": PUBLIC,  # the second step of sign-in
    "mfa_reauthenticate": SIGNED_IN,
    "mfa_*": SIGNED_IN,  # enrolment and managing one's own factors
    "usersessions_list": SIGNED_IN,
}


def url_rule(view_name: str) -> str | frozenset[Role] | None:
    """The rule for a URL name; None means no rule, which the middleware treats as deny."""
    if view_name in URL_RULES:
        return URL_RULES[view_name]
    matches = [p for p in URL_RULES if p.endswith("*") and view_name.startswith(p[:-1])]
    return URL_RULES[max(matches, key=len)] if matches else None


def may_open(user, view_name: str) -> bool:
    """Whether `user` may open the URL named `view_name`: the menu and tabs ask this, so they
    never offer a page the middleware would refuse."""
    rule = url_rule(view_name)
    if rule == PUBLIC:
        return True
    return bool(rule) and user.is_authenticated and user.role in rule
