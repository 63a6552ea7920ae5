"""After the disaster: a backup does not copy the OCFL root (it is rebuilt from the database and the objects), so a
restore followed by `sohoa ocfl sync` gives back a valid root holding every hồ sơ as it was last."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sohoa.services.platform.context import open_context
from sohoa.services.preservation.backup import make_backup
from sohoa.services.preservation.ocfl import hoso_object_id, ocfl_status, sync_all
from sohoa.services.preservation.ocfl_root import open_ocfl_root
from sohoa.services.preservation.restore import restore_backup
from sohoa.settings import Settings
from tests.preservation._ocfl_helpers import ocfl_validate
from tests.preservation.test_ocfl_sync import FIRST, build_archive


def _head_record(settings: Settings) -> dict[str, object]:
    with open_ocfl_root(settings).open_file(hoso_object_id(FIRST), "metadata/other/sohoa.json") as handle:
        record: dict[str, object] = json.loads(handle.read())
    return record


def test_ocfl_root_rebuilt_after_a_restore(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data", workers=1, backup_dir=tmp_path / "backups")
    ctx = open_context(settings)
    try:
        build_archive(ctx, tmp_path / "in")
        assert [r.version for r in sync_all(ctx)] == ["v1", "v1"]
        before = _head_record(settings)
        backup = make_backup(ctx, full=True)
        assert not backup.problems
    finally:
        ctx.close()
    shutil.rmtree(settings.data)  # the disaster takes the OCFL root (inside the data directory) too
    assert restore_backup(settings, backup.path, actor="drill").ok
    ctx = open_context(settings)
    try:
        rebuilt = sync_all(ctx)
        assert [r.version for r in rebuilt] == ["v1", "v1"] and all("rebuilt" in r.reason for r in rebuilt)
        assert ocfl_status(ctx).objects == 2
        assert [r.version for r in sync_all(ctx)] == [None, None]
    finally:
        ctx.close()
    after = _head_record(settings)
    assert after["documents"] == before["documents"] and after["file"] == before["file"]
    valid, output = ocfl_validate(settings.data / "ocfl")
    assert valid, output
