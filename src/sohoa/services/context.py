"""The application context: settings, database, object store and search index, built once per process."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sohoa.db.session import Database, migrate
from sohoa.settings import Settings
from sohoa.storage.objects import LocalObjectStore

__all__ = ["AppContext", "open_context"]


@dataclass
class AppContext:
    """Everything a service needs; pass it down, never import globals."""

    settings: Settings
    db: Database
    store: LocalObjectStore
    secret_key: str = field(repr=False, default="")

    def close(self) -> None:
        self.db.dispose()


def _secret_key(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key
    path = settings.data / "secret.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def prepare_data_dir(settings: Settings) -> None:
    """Create the data directory layout (idempotent)."""
    for path in (settings.data, settings.objects_dir, settings.work_dir, settings.quarantine_dir):
        Path(path).mkdir(parents=True, exist_ok=True)


def open_context(settings: Settings, *, migrate_schema: bool = True) -> AppContext:
    """Prepare the data directory, bring the schema to head and open the stores."""
    prepare_data_dir(settings)
    if migrate_schema:
        migrate(settings.db_url)
    return AppContext(
        settings=settings,
        db=Database(settings.db_url),
        store=LocalObjectStore(settings.objects_dir),
        secret_key=_secret_key(settings),
    )
