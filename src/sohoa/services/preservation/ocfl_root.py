"""Where the OCFL storage root is: ``SOHOA_OCFL_ROOT`` (a folder or ``s3://bucket[/prefix]``), else ``<data>/ocfl``."""

from __future__ import annotations

from sohoa.settings import Settings
from sohoa.storage.factory import build_blob_root
from sohoa.storage.ocfl import OcflStorageRoot

__all__ = ["ocfl_place", "open_ocfl_root"]


def ocfl_place(settings: Settings) -> str:
    """The storage root's place as the settings name it (a path or an s3:// URL, never credentials)."""
    return settings.ocfl_root or str(settings.data / "ocfl")


def open_ocfl_root(settings: Settings) -> OcflStorageRoot:
    """The storage root (not yet initialized: the first version written does it)."""
    return OcflStorageRoot(build_blob_root(ocfl_place(settings), settings))
