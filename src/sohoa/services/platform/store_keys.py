"""Giving the object store its key ring (encryption at rest): ``SOHOA_KEYS_DIR``, kept outside the data directory.

Here, not in ``sohoa.services.preservation.encryption``, because the application context builds its store with
it; sealing objects, rotation and the status live in the preservation service.
"""

from __future__ import annotations

from sohoa.domain.ports import ObjectStore
from sohoa.settings import Settings
from sohoa.storage.keyring import KeyRing, check_keys_dir
from sohoa.storage.sealed import SealingStore

__all__ = ["keyring_for", "sealing_stores", "with_keys"]


def keyring_for(settings: Settings) -> KeyRing:
    """The key ring of ``SOHOA_KEYS_DIR`` (default ``<data>/../<data-name>-keys``); a folder inside the data
    directory is refused with a bilingual error. The folder need not exist (no key yet: nothing is encrypted)."""
    return KeyRing(check_keys_dir(settings.keys_path, settings.data))


def sealing_stores(store: ObjectStore) -> list[SealingStore]:
    """The stores behind ``store`` that can keep envelopes: itself, or the primary and the replica of a replicated
    store (local or S3)."""
    found: list[SealingStore] = []
    for candidate in (getattr(store, "primary", store), getattr(store, "replica", None)):
        if isinstance(candidate, SealingStore):
            found.append(candidate)
    return found


def with_keys(store: ObjectStore, settings: Settings) -> ObjectStore:
    """``store`` with the key ring attached to each local store behind it (reads of envelopes decrypt)."""
    keyring = keyring_for(settings)
    for sealing in sealing_stores(store):
        if sealing.keyring is None:
            sealing.keyring = keyring
    return store
