"""All tables. Import from here so Alembic and the repositories see one metadata."""

from sohoa.db.models.events import Event
from sohoa.db.models.intake import IngestBatch, IngestItem, StoredObject
from sohoa.db.models.records import (
    Accession,
    Box,
    Document,
    FileUnit,
    Fonds,
    Page,
    Unit,
    UnitLink,
)

__all__ = [
    "Accession",
    "Box",
    "Document",
    "Event",
    "FileUnit",
    "Fonds",
    "IngestBatch",
    "IngestItem",
    "Page",
    "StoredObject",
    "Unit",
    "UnitLink",
]
from sohoa.db.models.staff import (  # noqa: E402  (staff tables, branch "staff")
    InventoryUpload,
    LoginThrottle,
    QcInspection,
    QcPlan,
    ReceivedFile,
    ScanUpload,
    User,
)

__all__ += [
    "InventoryUpload",
    "LoginThrottle",
    "QcInspection",
    "QcPlan",
    "ReceivedFile",
    "ScanUpload",
    "User",
]
from sohoa.db.models.shared import (  # noqa: E402  (shared-database tables, branch "shared")
    ApiToken,
    CopyRequest,
    FileGrant,
    SavedSearch,
    Webhook,
    WebhookDelivery,
)

__all__ += ["ApiToken", "CopyRequest", "FileGrant", "SavedSearch", "Webhook", "WebhookDelivery"]
