"""The profiles a parametrized fixture runs the same tests on, chosen as in production by settings alone:

- ``sqlite``: the embedded default (SQLite, objects in ``<data>/objects``);
- ``cluster``: PostgreSQL (``SOHOA_DATABASE_URL``) and the object store in an S3 bucket on SeaweedFS
  (``SOHOA_STORAGE_URL=s3://…``, ``SOHOA_S3_ENDPOINT``, ``AWS_*``): a fresh bucket per test (per module for
  module-scoped fixtures);
- ``postgres``: PostgreSQL with the objects on the local disk, a mixed set-up.

Every test on the shared ``any_ctx`` (and the module-scoped corpora of :func:`module_profile_database`) runs on
``sqlite`` and on ``cluster``: the cluster profile passes the same suite as the embedded one, and the PostgreSQL
database work of every test is run there. The mixed ``postgres`` profile runs only for the modules of
:data:`MIXED_MODULES` (those that put, read, serve, check or damage objects: PostgreSQL beside local objects);
``SOHOA_TEST_ALL_PROFILES=1`` runs it for every module too.

A fixture takes ``params=PROFILES`` and asks :func:`profile_database` for its database URL; for ``cluster`` the
storage variables are then set in this process's environment for the test, so ``Settings()`` and the ``sohoa``
subprocesses a test starts (``{**os.environ}``) find the bucket.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._s3 import S3Bucket, S3Server
from tests._templates import PgTemplates

__all__ = ["MIXED_MODULES", "PROFILES", "module_profile_database", "profile_database", "profile_selection"]

# ``mixed_profile`` (registered in conftest.py) marks the tests on the ``postgres`` param, kept for MIXED_MODULES.
PROFILES = ["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.mixed_profile]),
            pytest.param("cluster", marks=[pytest.mark.postgres, pytest.mark.s3])]


# The modules whose tests on the shared ``any_ctx`` also run on the mixed ``postgres`` profile (PostgreSQL with
# local objects): those that put, read, serve, check or damage objects. Elsewhere that profile would repeat what
# ``cluster`` checks of the database (~20 minutes more on the 2-core CI machine). SOHOA_TEST_ALL_PROFILES=1: every
# module.
MIXED_MODULES = frozenset({
    "ingest/test_born_digital.py", "ingest/test_file_jobs.py", "ingest/test_ingest_backends.py",
    "ingest/test_signed_pdfs.py", "interop/test_catalogue_export.py", "interop/test_iiif_images.py",
    "preservation/test_fixity.py", "preservation/test_ocfl_sync.py", "web/test_hot_folder_warm.py",
    "web/test_page_editor.py", "web/test_public_views.py",
})
_TESTS = Path(__file__).resolve().parent


def profile_selection(items: list[pytest.Item]) -> tuple[list[pytest.Item], list[pytest.Item]]:
    """(kept, dropped): the tests on the ``postgres`` param of :data:`PROFILES` (``any_ctx``, module corpora) of
    modules outside :data:`MIXED_MODULES` dropped."""
    if os.environ.get("SOHOA_TEST_ALL_PROFILES", "").lower() in {"1", "true", "yes"}:
        return items, []
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        if item.get_closest_marker("mixed_profile") is not None:
            try:
                module = item.path.resolve().relative_to(_TESTS).as_posix()
            except ValueError:
                module = ""
            if module not in MIXED_MODULES:
                dropped.append(item)
                continue
        kept.append(item)
    return kept, dropped


def profile_database(request: pytest.FixtureRequest) -> str | None:
    """The database URL of the fixture's profile (None for SQLite); for ``cluster`` a fresh SeaweedFS bucket
    becomes the object store of the test (its variables set in the environment until the test ends)."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("pg_head_url")
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
    if request.param != "cluster":
        url: str = request.getfixturevalue("module_pg_url")
        yield url
        return
    server: S3Server = request.getfixturevalue("seaweed_server")
    templates: PgTemplates = request.getfixturevalue("pg_templates")
    bucket = S3Bucket(server, server.new_bucket("module"))
    own = templates.copy()  # a database of its own: the postgres param of the module has module_pg_url
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            for name, value in bucket.env().items():
                monkeypatch.setenv(name, value)
            yield templates.url(own)
    finally:
        templates.drop(own)
    server.drop_bucket(bucket.bucket)
