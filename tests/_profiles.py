"""The profiles a parametrized fixture runs the same tests on, chosen as in production by settings alone:

- ``sqlite``: the embedded default (SQLite, objects in ``<data>/objects``);
- ``postgres``: PostgreSQL (``SOHOA_DATABASE_URL``), objects on the local disk;
- ``cluster``: PostgreSQL and the object store in an S3 bucket on SeaweedFS (``SOHOA_STORAGE_URL=s3://…``,
  ``SOHOA_S3_ENDPOINT``, ``AWS_*``): a fresh bucket per test (per module for module-scoped fixtures).

A fixture takes ``params=PROFILES`` and asks :func:`profile_database` for its database URL; for ``cluster`` the
storage variables are then set in this process's environment for the test, so ``Settings()`` and the ``sohoa``
subprocesses a test starts (``{**os.environ}``) find the bucket.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._s3 import S3Bucket, S3Server

__all__ = ["CLUSTER_MODULES", "PROFILES", "cluster_selection", "module_profile_database", "profile_database"]

PROFILES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres),
            pytest.param("cluster", marks=[pytest.mark.postgres, pytest.mark.s3])]


# The modules whose tests on the shared ``any_ctx`` also run on the cluster profile: those that put, read, serve,
# check or damage objects (the others touch only the database, which the postgres profile already covers; the
# whole parametrization would add ~20 minutes on the 2-core CI machine). SOHOA_TEST_ALL_PROFILES=1: every module.
CLUSTER_MODULES = frozenset({
    "ingest/test_born_digital.py", "ingest/test_file_jobs.py", "ingest/test_ingest_backends.py",
    "ingest/test_signed_pdfs.py", "interop/test_catalogue_export.py", "interop/test_iiif_images.py",
    "preservation/test_fixity.py", "preservation/test_ocfl_sync.py", "web/test_hot_folder_warm.py",
    "web/test_page_editor.py", "web/test_public_views.py",
})
_TESTS = Path(__file__).resolve().parent


def cluster_selection(items: list[pytest.Item]) -> tuple[list[pytest.Item], list[pytest.Item]]:
    """(kept, dropped): the ``any_ctx[cluster]`` tests of modules outside :data:`CLUSTER_MODULES` dropped."""
    if os.environ.get("SOHOA_TEST_ALL_PROFILES", "").lower() in {"1", "true", "yes"}:
        return items, []
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("any_ctx") == "cluster":
            try:
                module = item.path.resolve().relative_to(_TESTS).as_posix()
            except ValueError:
                module = ""
            if module not in CLUSTER_MODULES:
                dropped.append(item)
                continue
        kept.append(item)
    return kept, dropped


def profile_database(request: pytest.FixtureRequest) -> str | None:
    """The database URL of the fixture's profile (None for SQLite); for ``cluster`` a fresh SeaweedFS bucket
    becomes the object store of the test (its variables set in the environment until the test ends)."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("pg_url")
    if request.param == "cluster":
        bucket: S3Bucket = request.getfixturevalue("seaweed")
        monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
        for name, value in bucket.env().items():
            monkeypatch.setenv(name, value)
    return url


@contextlib.contextmanager
def module_profile_database(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """:func:`profile_database` for a module-scoped fixture (a corpus built once): the variables stay set while
    the ``with`` block lasts."""
    if request.param == "sqlite":
        yield None
        return
    url: str = request.getfixturevalue("module_pg_url")
    if request.param != "cluster":
        yield url
        return
    server: S3Server = request.getfixturevalue("seaweed_server")
    bucket = S3Bucket(server, server.new_bucket("module"))
    with _own_schema(url) as own, pytest.MonkeyPatch.context() as monkeypatch:
        for name, value in bucket.env().items():
            monkeypatch.setenv(name, value)
        yield own


@contextlib.contextmanager
def _own_schema(module_url: str) -> Iterator[str]:
    """A second schema beside the module's PostgreSQL one (whose schema the postgres param uses), dropped after."""
    import sqlalchemy

    base = module_url.split("?", 1)[0]
    schema = f"c_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
