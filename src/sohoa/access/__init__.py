"""Record-level access policy: which documents a principal may see (role × access level × unit scope)."""

from sohoa.access.policy import DocumentScope, can_view_document, document_scope

__all__ = ["DocumentScope", "can_view_document", "document_scope"]
