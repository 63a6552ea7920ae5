"""The OCFL storage root in an S3 bucket (moto's S3 server): written through S3BlobRoot, then mirrored to a
folder and validated there by ocfl-py; our own checks read the bucket directly."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from sohoa.db.models import FileUnit
from sohoa.services.platform.context import open_context
from sohoa.services.preservation.ocfl import hoso_object_id, ocfl_status, sync_all, validate_ocfl
from sohoa.settings import Settings
from sohoa.storage.ocfl import object_path
from tests._s3 import S3Server
from tests.preservation._ocfl_helpers import ocfl_validate
from tests.preservation.test_ocfl_sync import FIRST, SECOND, build_archive


def _mirror(server: S3Server, bucket: str, prefix: str, dest: Path) -> Path:
    client = server.client()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        for item in page.get("Contents", ()):
            target = dest / item["Key"][len(prefix) + 1:]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
    return dest


def test_ocfl_root_on_s3(s3_env: S3Server, tmp_path: Path) -> None:
    bucket = s3_env.new_bucket("ocfl")
    settings = Settings(data=tmp_path / "data", workers=1, ocfl_root=f"s3://{bucket}/archive/ocfl",
                        s3_endpoint=s3_env.endpoint)
    ctx = open_context(settings)
    try:
        build_archive(ctx, tmp_path / "in")
        assert [r.version for r in sync_all(ctx)] == ["v1", "v1"]
        assert validate_ocfl(ctx) == []
        valid, output = ocfl_validate(_mirror(s3_env, bucket, "archive/ocfl", tmp_path / "mirror1"))
        assert valid, output
        assert not (tmp_path / "data" / "ocfl").exists()
        with ctx.db.session() as session:
            file = session.scalars(select(FileUnit).where(FileUnit.file_code == SECOND)).one()
            file.title = "Hồ sơ công văn năm 2024"
            session.commit()
        assert [r.version for r in sync_all(ctx)] == [None, "v2"]
        assert [r.version for r in sync_all(ctx)] == [None, None]
        assert ocfl_status(ctx).versions == 3
        mirror = _mirror(s3_env, bucket, "archive/ocfl", tmp_path / "mirror2")
        valid, output = ocfl_validate(mirror)
        assert valid, output
        assert (mirror / object_path(hoso_object_id(SECOND)) / "v2" / "inventory.json").exists()
        assert not (mirror / object_path(hoso_object_id(FIRST)) / "v2").exists()
    finally:
        ctx.close()
