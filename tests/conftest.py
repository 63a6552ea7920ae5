"""Shared fixtures; real-tool tests fail (never skip) in CI when their tool is missing."""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings
from tests._passwords import _cheap_password_hashing, production_password_hashing  # noqa: F401 - fixtures
from tests._profiles import PROFILES, profile_database, profile_selection
from tests._s3 import S3Bucket, moto_s3_server, s3_env, s3_server, seaweed, seaweed_server, weed_missing  # noqa: F401 - fixtures
from tests._templates import PgTemplates, seeding_migrate

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_URL = os.environ.get("SOHOA_TEST_PG_URL", "postgresql+psycopg://sohoa:sohoa-test@127.0.0.1:5432/sohoa_test")
TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata")
# A `sohoa status` or `search` run through the launcher would leave a resident CLI helper behind: none in tests,
# except those that start one on purpose (tests/core/test_cli_resident.py) and stop it.
os.environ["SOHOA_CLI_RESIDENT"] = "false"


@functools.cache
def _have_tesseract() -> str | None:
    if not shutil.which("tesseract"):
        return "the tesseract program is not installed"
    if not any(Path(d, "vie.traineddata").exists() for d in TESSDATA_DIRS):
        return "tesseract-ocr-vie is not installed"
    return None


@functools.cache
def _have_postgres() -> str | None:
    try:
        import sqlalchemy

        engine = sqlalchemy.create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL at {PG_URL} is unreachable: {exc}"
    return None


@functools.cache
def _have_browser() -> str | None:
    return None if shutil.which("chromium") else "Debian's chromium is not installed"


def _have_cluster() -> str | None:
    """Root, `ip netns`, PostgreSQL's initdb, redis-server and weed (tests/cluster: hosts in network namespaces)."""
    from tests.cluster._hosts import missing_requirements

    return missing_requirements()


@functools.cache
def _have_brokers() -> str | None:
    """Redis on 127.0.0.1:6379 and RabbitMQ on 127.0.0.1:5672 (guest/guest): the Celery tests (tests/cluster)."""
    import socket

    for name, port in (("Redis", 6379), ("RabbitMQ", 5672)):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except OSError as exc:
            return f"{name} on 127.0.0.1:{port} is unreachable ({exc}); scripts/bootstrap.sh test starts it"
    return None


_REQUIREMENTS = {"tesseract": _have_tesseract, "postgres": _have_postgres, "browser": _have_browser,
                 "s3": weed_missing, "cluster": _have_cluster,
                 "redis": _have_brokers}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mixed_profile: the PostgreSQL-with-local-objects param of tests/_profiles.py's "
                                       "PROFILES (run for MIXED_MODULES only)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The shared ``any_ctx`` runs every test on ``sqlite`` and ``cluster``, and on the mixed ``postgres`` profile
    for the modules that exercise the object store (tests/_profiles.py: MIXED_MODULES); SOHOA_TEST_ALL_PROFILES=1
    runs it for every test."""
    kept, dropped = profile_selection(items)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, check in _REQUIREMENTS.items():
        if item.get_closest_marker(marker) is None:
            continue
        missing = check()
        if missing:
            if IN_CI:
                pytest.fail(f"{marker} test cannot run in CI: {missing}", pytrace=False)
            pytest.skip(missing)


@pytest.fixture(autouse=True)
def _restore_umask() -> Iterator[None]:
    """A CLI command run in-process sets the umask to 0o077 for the process: give each test the one it found."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield
    os.umask(previous)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a fresh data directory, one worker (tests stay light on the 2 cores)."""
    return Settings(data=tmp_path / "data", workers=1)


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    context = open_context(settings)
    yield context
    context.close()


@pytest.fixture(autouse=True, scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A new SQLite database that ``open_context`` migrates gets a copy of one migrated once a session
    (tests/_templates.py)."""
    import sohoa.services.platform.context as context

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(context, "migrate", seeding_migrate(context.migrate, tmp_path_factory.mktemp("template")))
        yield


@pytest.fixture(scope="session")
def pg_templates() -> Iterator[PgTemplates]:
    """This session's PostgreSQL template at the migration head, built when a test first needs it."""
    _need_postgres()
    templates = PgTemplates(PG_URL)
    yield templates
    templates.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL on an empty schema of its own, dropped afterwards (for tests that migrate it
    themselves; a database at head is :func:`pg_head_url`)."""
    yield from _pg_schema()


@pytest.fixture
def pg_head_url(pg_templates: PgTemplates) -> Iterator[str]:
    """A PostgreSQL database of its own at the migration head (a copy of the session's template), dropped
    afterwards."""
    yield from _pg_copy(pg_templates)


@pytest.fixture(scope="module")
def module_pg_url(pg_templates: PgTemplates) -> Iterator[str]:
    """:func:`pg_head_url` for a whole module (a corpus built once, queried by many tests)."""
    yield from _pg_copy(pg_templates)


def _need_postgres() -> None:
    missing = _have_postgres()
    if missing:
        if IN_CI:
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing)


def _pg_copy(templates: PgTemplates) -> Iterator[str]:
    name = templates.copy()
    try:
        yield templates.url(name)
    finally:
        templates.drop(name)


def _pg_schema() -> Iterator[str]:
    """Create a schema of its own, yield its URL, drop it."""
    _need_postgres()
    import sqlalchemy

    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def pg_ctx(tmp_path: Path, pg_head_url: str) -> Iterator[AppContext]:
    """The application context on PostgreSQL."""
    context = open_context(Settings(data=tmp_path / "pgdata", workers=1, database_url=pg_head_url))
    yield context
    context.close()


@pytest.fixture(params=PROFILES)
def any_ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppContext]:
    """The same test on the embedded default (SQLite) and on the cluster profile (PostgreSQL and the objects in S3
    on SeaweedFS), and for some modules on PostgreSQL with local objects (tests/_profiles.py)."""
    url = profile_database(request)
    context = open_context(Settings(data=tmp_path / ("data" if url is None else "pgdata"), workers=1,
                                    database_url=url))
    yield context
    context.close()


@pytest.fixture
def cluster_ctx(request: pytest.FixtureRequest, tmp_path: Path, pg_head_url: str,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[AppContext]:
    """The application context on the cluster profile: PostgreSQL and a fresh S3 bucket on SeaweedFS."""
    bucket: S3Bucket = request.getfixturevalue("seaweed")
    for name, value in bucket.env().items():
        monkeypatch.setenv(name, value)
    context = open_context(Settings(data=tmp_path / "cluster", workers=1, database_url=pg_head_url))
    yield context
    context.close()
