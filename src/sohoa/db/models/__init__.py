"""All tables. Import from here so Alembic and the repositories see one metadata."""

from sohoa.db.models.auth import LoginCounter, UserSession
from sohoa.db.models.encryption import EncryptedObject
from sohoa.db.models.events import Event
from sohoa.db.models.exchange import RecordRequest
from sohoa.db.models.fixity import FixityCheck, FixityRun, PreservationLease
from sohoa.db.models.formats import ObjectFormat
from sohoa.db.models.intake import IngestBatch, IngestItem, StoredObject
from sohoa.db.models.masked import MaskedDerivative
from sohoa.db.models.oai import OaiRecord, OaiState
from sohoa.db.models.ocfl import OcflObject
from sohoa.db.models.package_intake import ImportedAuditEvent, IngestedPackage
from sohoa.db.models.personal import PersonalDatum, SubjectRequest, SubjectRequestItem
from sohoa.db.models.preservation import PreservationEvent
from sohoa.db.models.records import Accession, Box, Document, FileUnit, Fonds, Page, Unit, UnitLink
from sohoa.db.models.replicas import ReplicaCopy
from sohoa.db.models.shared import ApiToken, CopyRequest, FileGrant, SavedSearch, Webhook, WebhookDelivery
from sohoa.db.models.signatures import DocumentSignature
from sohoa.db.models.staff import InventoryUpload, QcInspection, QcPlan, ReceivedFile, ScanUpload, User
from sohoa.db.models.tasks import TaskBatchFile, TaskFailure
from sohoa.db.models.views import QueueView

__all__ = [
    "Accession",
    "ApiToken",
    "Box",
    "CopyRequest",
    "Document",
    "DocumentSignature",
    "EncryptedObject",
    "Event",
    "FileGrant",
    "FileUnit",
    "FixityCheck",
    "FixityRun",
    "Fonds",
    "ImportedAuditEvent",
    "IngestBatch",
    "IngestItem",
    "IngestedPackage",
    "InventoryUpload",
    "LoginCounter",
    "MaskedDerivative",
    "OaiRecord",
    "OaiState",
    "ObjectFormat",
    "OcflObject",
    "Page",
    "PersonalDatum",
    "PreservationEvent",
    "PreservationLease",
    "QcInspection",
    "QcPlan",
    "QueueView",
    "ReceivedFile",
    "RecordRequest",
    "ReplicaCopy",
    "SavedSearch",
    "ScanUpload",
    "StoredObject",
    "SubjectRequest",
    "SubjectRequestItem",
    "TaskBatchFile",
    "TaskFailure",
    "Unit",
    "UnitLink",
    "User",
    "UserSession",
    "Webhook",
    "WebhookDelivery",
]
