"""Permissions and the role → permission table: the single place that says who may do what."""

from __future__ import annotations

from enum import StrEnum

from sohoa.domain.codes import Role

__all__ = ["ROLE_PERMISSIONS", "Permission", "allowed"]


class Permission(StrEnum):
    """What a route needs; roles grant sets of these."""

    AUTHENTICATED = "authenticated"  # any signed-in user (own password, home)
    INTAKE_VIEW = "intake.view"
    INTAKE_EDIT = "intake.edit"  # accessions, inventory upload, boxes, receipts, handover
    ARRANGE = "arrangement.edit"
    SCAN = "scanning.upload"
    REVIEW = "review.edit"
    QC = "qc.inspect"
    QC_PLAN = "qc.plan"
    PROGRESS = "progress.view"
    ADMIN = "admin.manage"
    DOCUMENT_READ = "document.read"  # staff reading documents (public views, search)
    PAGE_VIEW = "page.view"  # page images and working views of the digitization line
    PERSONAL_READ = "personal.read"  # personal data unmasked (Luật 91/2025); each view of it is audited
    PERSONAL_SEARCH = "personal.search"  # the entity index of personal data and data subject requests
    PRESERVATION_VIEW = "preservation.view"  # the preservation page: fixity, OCFL, replicas, backups, formats, keys
    PRESERVATION_MANAGE = "preservation.manage"  # preservation actions: run a fixity pass, sync, rotate keys
    TASKS_VIEW = "tasks.view"  # the cluster's task page: queues, workers, dead letters
    TASKS_MANAGE = "tasks.manage"  # retry or discard a dead letter


_ALL = frozenset(Permission)
_BASE = frozenset({Permission.AUTHENTICATED, Permission.DOCUMENT_READ})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _ALL,
    Role.COORDINATOR: _BASE | {Permission.INTAKE_VIEW, Permission.PROGRESS, Permission.QC_PLAN},
    Role.QC_INSPECTOR: _BASE
    | {Permission.QC, Permission.QC_PLAN, Permission.PROGRESS, Permission.PAGE_VIEW, Permission.PERSONAL_READ},
    Role.ARCHIVIST: _BASE
    | {Permission.INTAKE_VIEW, Permission.INTAKE_EDIT, Permission.ARRANGE, Permission.REVIEW, Permission.PAGE_VIEW,
       Permission.PERSONAL_SEARCH, Permission.PERSONAL_READ, Permission.PRESERVATION_VIEW},
    Role.SCAN_OPERATOR: _BASE | {Permission.SCAN, Permission.PAGE_VIEW},
    Role.UNIT_CLERK: _BASE | {Permission.INTAKE_VIEW, Permission.INTAKE_EDIT},
    Role.UNIT_OFFICER: _BASE | {Permission.PERSONAL_SEARCH, Permission.PERSONAL_READ},
}


def allowed(role: str, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` (unknown roles hold nothing)."""
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
