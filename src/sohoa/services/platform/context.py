"""The application context: settings, database and the ports (object store, search index, OCR engine factory,
field extractor, document splitter), built once per process."""

from __future__ import annotations

import contextlib
import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from sohoa.db.session import Database, migrate, schema_is_current
from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import DocumentSplitter, FieldExtractor, ObjectStore, OcrEngineFactory, SearchIndex
from sohoa.index.factory import make_index
from sohoa.intelligence.extract import RuleFieldExtractor
from sohoa.intelligence.split import LayoutSplitter
from sohoa.services.platform.replica_store import with_replica
from sohoa.services.platform.store_keys import with_keys
from sohoa.settings import MIN_SECRET_LENGTH, Settings
from sohoa.storage.factory import build_object_store
from sohoa.storage.private import check_owner, create_private_file, open_private, private_dir, tighten

log = logging.getLogger(__name__)

__all__ = ["AppContext", "database_at_head", "open_context", "prepare_data_dir", "sqlite_path"]


@dataclass
class AppContext:
    """Everything a service needs; pass it down, never import globals.

    ``engine_factory`` None: Tesseract as the settings describe it, built in each page worker.
    """

    settings: Settings
    db: Database
    store: ObjectStore
    index: SearchIndex
    secret_key: str = field(repr=False, default="")
    engine_factory: OcrEngineFactory | None = None
    extractor: FieldExtractor = field(default_factory=RuleFieldExtractor)
    splitter: DocumentSplitter = field(default_factory=LayoutSplitter)

    def close(self) -> None:
        self.db.dispose()


def _secret_key(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key
    path = settings.data / "secret.key"
    if not path.exists():
        create_private_file(path, secrets.token_urlsafe(48).encode())  # 48 random bytes; the first writer wins
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise SohoaError(f"Khóa trong {path} quá ngắn (cần ít nhất {MIN_SECRET_LENGTH} ký tự); xóa tệp để tự sinh "
                         "khóa mới",
                         f"The key in {path} is too short (at least {MIN_SECRET_LENGTH} characters); delete the "
                         "file to generate a new one")
    return key


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def database_at_head(settings: Settings) -> bool:
    """Whether the database exists and stands at head: a process that must neither create nor migrate it (the
    resident CLI helper) opens it only then."""
    path = sqlite_path(settings.db_url)
    if path is not None and not path.is_file():
        return False
    return schema_is_current(settings.db_url)


def _private_database(url: str) -> None:
    """The SQLite file created 0600 before SQLite opens it: its -wal and -shm files take the same mode."""
    path = sqlite_path(url)
    if path is None:
        return
    private_dir(path.parent)
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process created it first
            open_private(path, exclusive=True).close()
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if tighten(companion):
            log.warning("Đã thu hẹp quyền / tightened to owner only: %s", companion)


def prepare_data_dir(settings: Settings) -> None:
    """Create the data directory layout 0700 (idempotent); a layout left readable by others is tightened.

    Only the data directory, its own entries and the layout folders are checked here (cheap at every
    start); `sohoa init` tightens the whole tree.
    """
    existed = settings.data.exists()
    private_dir(settings.data)
    if existed:
        check_owner(settings.data)
    for path in (settings.objects_dir, settings.work_dir, settings.quarantine_dir):
        private_dir(path)
    for path in (settings.data, *settings.data.iterdir()):
        if tighten(path):
            log.warning("Đã thu hẹp quyền / tightened to owner only: %s", path)
    _private_database(settings.db_url)


def open_context(settings: Settings, *, migrate_schema: bool = True) -> AppContext:
    """Prepare the data directory, bring the schema to head and open the stores."""
    prepare_data_dir(settings)
    if migrate_schema:
        migrate(settings.db_url)
    db = Database(settings.db_url, info={"settings": settings})
    return AppContext(
        settings=settings,
        db=db,
        store=with_keys(with_replica(build_object_store(settings.storage_url or settings.objects_dir, settings),
                                     settings), settings),
        index=make_index(db.engine),
        secret_key=_secret_key(settings),
    )
