"""The whole archive with its objects on S3 (moto's server): `sohoa init` and `sohoa ingest` of a generated sample
in subprocesses with SOHOA_STORAGE_URL=s3://…, then the web app serves the document's PDF back from the bucket;
and restricted material sealed in the bucket by the encryption sweep, still served to staff."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Document, Page, StoredObject
from sohoa.samples import generate_corpus
from sohoa.services.platform.context import open_context
from sohoa.services.preservation.encryption import encrypt_due, init_keys
from sohoa.settings import Settings
from sohoa.storage.envelope import MAGIC
from sohoa.storage.s3 import S3ObjectStore
from tests._s3 import S3Server

from ..web import _helpers as web_helpers

# ---------------------------------------------------------------- the whole archive on S3, through the CLI


@pytest.mark.tesseract
@pytest.mark.slow
def test_init_ingest_and_serve_with_the_objects_on_s3(s3_env: S3Server, tmp_path: Path) -> None:
    bucket = s3_env.new_bucket("archive")
    env = {**os.environ, **s3_env.env(), "SOHOA_DATA": str(tmp_path / "data"),
           "SOHOA_STORAGE_URL": f"s3://{bucket}/hanoi/objects", "SOHOA_WORKERS": "1",
           "SOHOA_USE_RUNNING_SERVER": "false", "SOHOA_USE_RUNNING_POOL": "false", "SOHOA_CLI_RESIDENT": "false"}
    sohoa = str(Path(sys.executable).with_name("sohoa"))

    def run(*args: str) -> str:
        done = subprocess.run([sohoa, *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout

    generate_corpus(tmp_path / "samples", documents=1, seed=1, multipage=False)  # one page: OCR on shared cores
    (tmp_path / "samples" / "truth.json").unlink()
    run("init")
    report = json.loads(run("ingest", str(tmp_path / "samples"), "--file-code", "HS-S3.01", "--json"))
    assert {item["state"] for item in report["items"]} == {"done"}, report

    settings = Settings(data=tmp_path / "data", storage_url=f"s3://{bucket}/hanoi/objects",
                        s3_endpoint=s3_env.endpoint, workers=1)
    ctx = open_context(settings)
    try:
        with ctx.db.session() as session:
            digests = set(session.execute(select(StoredObject.sha256)).scalars())
            doc = session.execute(select(Document)).scalars().first()
            assert doc is not None and doc.pdf_object_id is not None
            pdf = session.get(StoredObject, doc.pdf_object_id)
            assert pdf is not None
            doc_id, pdf_sha = doc.id, pdf.sha256
        keys = {item["Key"] for item in s3_env.client().list_objects_v2(Bucket=bucket)["Contents"]}
        assert keys == {f"hanoi/objects/sha256/{d[:2]}/{d[2:4]}/{d}" for d in digests}
        assert not list((settings.objects_dir / "sha256").rglob("*")), "the local store was written"
        assert all(ctx.store.verify(d) for d in digests)
        web_helpers.users(ctx)
        with TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False) as client:
            web_helpers.login(client, "archivist")
            whole = client.get(f"/documents/{doc_id}/pdf")
            assert whole.status_code == 200 and whole.content.startswith(b"%PDF")
            assert hashlib.sha256(whole.content).hexdigest() == pdf_sha
            part = client.get(f"/documents/{doc_id}/pdf", headers={"Range": "bytes=100-199"})
            assert part.status_code == 206 and part.content == whole.content[100:200]
    finally:
        ctx.close()


def test_restricted_objects_on_s3_are_sealed_in_the_bucket_and_still_served(
        s3_env: S3Server, tmp_path: Path) -> None:
    bucket = s3_env.new_bucket("sealed-archive")
    settings = Settings(data=tmp_path / "data", storage_url=f"s3://{bucket}/objects", s3_endpoint=s3_env.endpoint,
                        workers=1)
    ctx = open_context(settings)
    try:
        store = ctx.store
        assert isinstance(store, S3ObjectStore) and store.keyring is not None  # given its key ring like on disk
        _acc, (file_id,) = web_helpers.accession_with_files(ctx)
        internal = web_helpers.document(ctx, file_id, pages=1, access_level="internal")
        public = web_helpers.document(ctx, file_id, pages=1, access_level="public")
        masters = {}
        with ctx.db.session() as session:
            for doc_id in (internal, public):
                page = session.execute(select(Page).where(Page.document_id == doc_id)).scalars().one()
                masters[doc_id] = session.get_one(StoredObject, page.master_object_id).sha256
            page_id = session.execute(select(Page.id).where(Page.document_id == internal)).scalar_one()
        plain = store.read(masters[internal])
        init_keys(ctx, "test")
        assert encrypt_due(ctx).sealed == 1
        raw = s3_env.client()
        stored = raw.get_object(Bucket=bucket, Key=store.key(masters[internal]))["Body"].read()
        assert stored.startswith(MAGIC) and plain[len(plain) // 2:len(plain) // 2 + 64] not in stored
        assert raw.head_object(Bucket=bucket, Key=store.key(masters[internal]) + ".key")["ContentLength"] > 0
        assert store.read(masters[internal]) == plain and store.verify(masters[internal])
        assert not store.is_encrypted(masters[public])
        web_helpers.users(ctx)
        with TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False) as client:
            web_helpers.login(client, "archivist")
            image = client.get(f"/pages/{page_id}/image")  # rendered from the master sealed in the bucket
            assert image.status_code == 200 and image.content[:3] == b"\xff\xd8\xff"
    finally:
        ctx.close()
