"""Roles and what each may do, as data.

A user holds *roles* (granted by an admin). A case *member* has one role in that
case, which must be one of the roles the user holds. Access to a case's data
comes only from membership: an admin manages accounts and memberships but reads
no case data unless made a member. Two roles also act on every case without
membership (`GLOBAL_CASE_ACTIONS`): an admin may manage any case's members, an
auditor may read any case's audit trail (oversight bodies look at all cases).
"""

from __future__ import annotations

from collections.abc import Mapping

ROLES = ("analyst", "reviewer", "supervisor", "auditor", "admin", "researcher")

# Actions on a case.
CASE_ACTIONS = (
    "read",  # case details, sources, records, quarantine
    "search",  # look identifiers up across the case's records
    "ingest",
    "analyze",
    "review",  # record a decision on a record, link or network
    "approve_export",  # the second pair of eyes for personal data leaving the case
    "export",  # request an export (still needs a confirming review, maybe an approval)
    "audit_read",  # the case's audit trail and oversight report
    "members_read",
    "manage_members",
    "see_identifiers",  # phones, e-mails, handles … unmasked
    "reveal_image",  # un-blurred images
)

# The role a user has *in a case* → what they may do to it.
CASE_PERMISSIONS: Mapping[str, frozenset[str]] = {
    "researcher": frozenset({"read", "search", "members_read"}),
    "analyst": frozenset(
        {"read", "search", "ingest", "analyze", "export", "members_read", "see_identifiers"}
    ),
    "reviewer": frozenset({"read", "search", "review", "members_read", "see_identifiers"}),
    "supervisor": frozenset(CASE_ACTIONS),
    "auditor": frozenset({"audit_read", "members_read"}),
    "admin": frozenset({"members_read", "manage_members"}),
}

# A role the user holds → actions on every case, without membership.
GLOBAL_CASE_ACTIONS: Mapping[str, frozenset[str]] = {
    "admin": frozenset({"members_read", "manage_members"}),
    "auditor": frozenset({"audit_read", "members_read"}),
}

# Actions that concern no single case.
GLOBAL_PERMISSIONS: Mapping[str, frozenset[str]] = {
    "admin": frozenset(
        {
            "manage_users",
            "read_users",
            "run_retention",
            "list_all_cases",
            "audit_read_all",
            "manage_hashlists",
        }
    ),
    "auditor": frozenset({"read_users", "list_all_cases", "audit_read_all"}),
    # hash lists are shared by every case: supervisors and admins curate them
    "supervisor": frozenset({"create_case", "manage_hashlists"}),
}

# Actions still allowed on a case past its retention deadline (or purged).
AFTER_RETENTION = frozenset({"audit_read", "members_read"})

# The role the creator of a case gets in it.
OWNER_ROLE = "supervisor"


def case_actions(role: str) -> frozenset[str]:
    return CASE_PERMISSIONS.get(role, frozenset())


def roles_allowing(action: str) -> list[str]:
    """Case roles that may do `action` (for error messages)."""
    return [r for r in ROLES if action in CASE_PERMISSIONS.get(r, ())]
