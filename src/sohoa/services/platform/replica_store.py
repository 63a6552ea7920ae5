"""Opening the replica (``SOHOA_REPLICA_URL``) and putting it behind the primary object store.

Here, not in ``sohoa.services.preservation.replica``, because the application context builds its store with it;
the catch-up pass, the status and the repairs live in the preservation service.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import ObjectStore
from sohoa.services.platform.store_keys import with_keys
from sohoa.settings import Settings
from sohoa.storage.factory import build_object_store
from sohoa.storage.replicated import ReplicatedObjectStore

__all__ = ["open_replica", "primary_store", "replica_label", "with_replica"]

log = logging.getLogger(__name__)


def replica_label(settings: Settings) -> str | None:
    """The replica as recorded in the database: its URL, or the absolute directory; None when none is set."""
    url = (settings.replica_url or "").strip()
    if not url:
        return None
    if "://" in url:
        return url.rstrip("/")
    return str(Path(url).expanduser().resolve())


def open_replica(settings: Settings) -> ObjectStore | None:
    """The replica store (a folder, or ``s3://bucket[/prefix]`` through the storage factory), with the key ring
    so that envelopes verify; None when ``SOHOA_REPLICA_URL`` is unset. A folder inside the data directory (or
    holding it) is refused: it would not be independent storage."""
    label = replica_label(settings)
    if label is None:
        return None
    if "://" not in label:
        path = Path(label)
        if path == settings.data or settings.data in path.parents or path in settings.data.parents:
            raise SohoaError(f"Bản sao {path} không được nằm trong (hay chứa) thư mục dữ liệu: đặt nó trên ổ đĩa khác",
                             f"The replica {path} must not be inside (or contain) the data directory: put it on "
                             "another disk")
    try:
        return with_keys(build_object_store(label, settings), settings)
    except OSError as exc:
        raise SohoaError(f"Không mở được bản sao {label}", f"Cannot open the replica {label}: {exc}") from exc


def primary_store(store: ObjectStore) -> ObjectStore:
    """The primary store behind a replicated one (itself otherwise)."""
    return store.primary if isinstance(store, ReplicatedObjectStore) else store


def with_replica(store: ObjectStore, settings: Settings) -> ObjectStore:
    """``store`` kept in step with the configured replica, or ``store`` itself when none is set, or when it
    cannot be opened now (logged; the catch-up pass copies what is pending once it can)."""
    try:
        replica = open_replica(settings)
    except SohoaError as exc:
        log.warning("replica unavailable, new objects stay pending: %s", exc.en)
        return store
    return store if replica is None else ReplicatedObjectStore(store, replica)
