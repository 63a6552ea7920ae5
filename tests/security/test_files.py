"""Files only the service user may read: data directory, database, objects and keys, created with their mode.

On SQLite and on PostgreSQL (where the database files are PostgreSQL's, the data directory is still ours).
"""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sohoa.domain.errors import SohoaError
from sohoa.services.identity.accounts import seed_demo_users
from sohoa.services.platform.context import open_context
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.sharing.copies import ensure_dev_certificate
from sohoa.settings import Settings
from tests.ingest._helpers import text_page
from tests.security._fake_cli import logging_factory

ROOT = Path(__file__).resolve().parents[2]
KEYS = ("secret.key", "signing/dev-key.pem", "signing/dev-cert.pem", "demo-users.txt")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str | None:
    return request.getfixturevalue("pg_url") if request.param == "postgres" else None


@pytest.fixture
def umask_zero() -> Iterator[None]:
    """The most permissive umask: what is private must be so by its own creation mode."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _open_to_others(root: Path) -> list[str]:
    """Every path under ``root`` (itself included) that group or others may read, write or enter."""
    paths = [root, *root.rglob("*")]
    return [f"{p.relative_to(root)} {_mode(p):o}" for p in paths if not p.is_symlink() and _mode(p) & 0o077]


def _env(data: Path, db_url: str | None) -> dict[str, str]:
    env = {**os.environ, "SOHOA_DATA": str(data), "SOHOA_WORKERS": "1"}
    env.pop("SOHOA_DATABASE_URL", None)
    if db_url:
        env["SOHOA_DATABASE_URL"] = db_url
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "tests.security._fake_cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    return done


def _box(folder: Path) -> Path:
    folder.mkdir(parents=True)
    text_page(folder / "p1.png", ["Quyết định số 12/QĐ-UBND"])
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # quarantined: a copy and a reason file
    return folder


def test_init_and_ingest_leave_nothing_readable_by_others(tmp_path: Path, db_url: str | None) -> None:
    data = tmp_path / "data"
    env = _env(data, db_url)
    _cli(env, "init")
    assert _mode(data) == 0o700
    for key in KEYS[:3]:
        assert _mode(data / key) == 0o600, key
    if db_url is None:
        assert _mode(data / "sohoa.db") == 0o600
    assert _open_to_others(data) == []

    _cli(env, "ingest", str(_box(tmp_path / "box")), "--json")
    objects = [p for p in (data / "objects" / "sha256").rglob("*") if p.is_file()]
    assert len(objects) >= 4 and {_mode(p) for p in objects} == {0o400}  # master, OCR, thumbnail, PDF
    assert list((data / "quarantine").rglob("reason.json"))
    assert _open_to_others(data) == []


def test_modes_hold_whatever_the_umask(tmp_path: Path, db_url: str | None, umask_zero: None) -> None:
    """In-process use (tests, the web app's workers) with umask 0: the modes come from creation itself."""
    data = tmp_path / "data"
    ctx = open_context(Settings(data=data, workers=1, database_url=db_url))
    try:
        ensure_dev_certificate(ctx)
        seed_demo_users(ctx)
        report = ingest_paths(ctx, [_box(tmp_path / "box")], engine_factory=logging_factory())
        assert sorted(i.state for i in report.items) == ["done", "quarantined"]
        if db_url is None:
            assert (data / "sohoa.db-wal").exists()  # SQLite's companions, made with the database's mode
        for key in KEYS:
            assert _mode(data / key) == 0o600, key
        assert _open_to_others(data) == []
    finally:
        ctx.close()


def test_a_data_dir_left_open_is_tightened(tmp_path: Path, db_url: str | None) -> None:
    data = tmp_path / "data"
    open_context(Settings(data=data, workers=1, database_url=db_url)).close()
    secret = data / "secret.key"
    for path, mode in ((data, 0o755), (secret, 0o644), (data / "objects", 0o755)):
        path.chmod(mode)
    if db_url is None:
        (data / "sohoa.db").chmod(0o644)
    open_context(Settings(data=data, workers=1, database_url=db_url)).close()  # every start: the top level
    assert _mode(data) == 0o700 and _mode(secret) == 0o600 and _mode(data / "objects") == 0o700
    if db_url is None:
        assert _mode(data / "sohoa.db") == 0o600

    deep = data / "objects" / "sha256" / "ab" / "cd"
    deep.mkdir(parents=True, mode=0o755)
    (deep / ("ab" * 32)).write_bytes(b"x")
    (deep / ("ab" * 32)).chmod(0o444)
    shared = tmp_path / "scanner-share"  # hot folders another account writes to: a symlink, left alone
    shared.mkdir(mode=0o775)
    shared.chmod(0o775)
    (data / "hotfolders").symlink_to(shared)
    _cli(_env(data, db_url), "init")  # `sohoa init`: the whole tree
    assert _open_to_others(data) == []
    assert _mode(deep / ("ab" * 32)) == 0o400 and _mode(shared) == 0o775


def test_init_warns_about_a_configured_key_left_open(tmp_path: Path) -> None:
    key, cert = tmp_path / "signer.key", tmp_path / "signer.pem"
    for path in (key, cert):
        path.write_text("-----BEGIN-----", encoding="utf-8")
        path.chmod(0o644)
    env = {**_env(tmp_path / "data", None), "SOHOA_SIGNING_KEY": str(key), "SOHOA_SIGNING_CERT": str(cert)}
    out = _cli(env, "init").stdout
    assert f"The key file {key} is readable by other accounts" in " ".join(out.split())
    assert _mode(key) == 0o644  # the operator's file: reported, not changed


def test_a_data_dir_owned_by_another_account_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o755)  # explicit: an earlier in-process CLI test may have left the umask at 0o077
    owner = data.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 4242)
    with pytest.raises(SohoaError) as refused:
        open_context(Settings(data=data, workers=1))
    assert "not by the service user" in str(refused.value) and "chown" in str(refused.value)
    assert _mode(data) == 0o755  # not touched: its owner decides


def test_key_files_are_created_private_never_restricted_afterwards(tmp_path: Path, umask_zero: None,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Every key file is born 0600 (O_CREAT|O_EXCL, mode 0o600) and given its name by a hard link once
    complete; no chmod ever touches it, so no reader can open it in between, whatever the umask."""
    opened: dict[str, tuple[int, int]] = {}
    linked: dict[str, tuple[str, int]] = {}
    chmodded: list[str] = []
    real_open, real_link, real_chmod = os.open, os.link, os.chmod

    def spy_open(path: object, flags: int, mode: int = 0o777, **kwargs: object) -> int:
        opened[str(path)] = (flags, mode)
        return real_open(path, flags, mode, **kwargs)  # type: ignore[arg-type]

    def spy_link(src: object, dst: object, **kwargs: object) -> None:
        linked[str(dst)] = (str(src), _mode(Path(str(src))))  # the mode at the instant the name appears
        real_link(src, dst, **kwargs)  # type: ignore[arg-type]

    def spy_chmod(path: object, mode: int, **kwargs: object) -> None:
        chmodded.append(str(path))
        real_chmod(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "link", spy_link)
    monkeypatch.setattr(os, "chmod", spy_chmod)
    data = tmp_path / "data"
    ctx = open_context(Settings(data=data, workers=1))
    try:
        ensure_dev_certificate(ctx)
        seed_demo_users(ctx)
    finally:
        ctx.close()
    for key in KEYS:
        final = str(data / key)
        source, mode_at_link = linked[final]
        flags, mode = opened[source]
        assert Path(source).parent == Path(final).parent and not Path(source).exists()
        assert flags & os.O_CREAT and flags & os.O_EXCL and mode == 0o600, key
        assert mode_at_link == 0o600 and _mode(Path(final)) == 0o600, key
        assert final not in chmodded and source not in chmodded, key


def test_a_short_key_file_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    open_context(Settings(data=data, workers=1)).close()
    (data / "secret.key").write_text("abc", encoding="utf-8")
    with pytest.raises(SohoaError) as refused:
        open_context(Settings(data=data, workers=1))
    assert "at least 32 characters" in str(refused.value)


# Calls to `secrets.token_*` with fewer than 32 bytes, and why they are not keys.
_SHORT_RANDOM_OK = {
    ("services/identity/accounts.py", 9): "the demo accounts' passwords (demo only, shown to the operator)",
    ("services/production/scanning.py", 18): "upload ids: names in URLs, every use checks the operator",
    ("services/sharing/copies.py", 12): "the code a citizen follows a copy request with (public documents only)",
    ("services/sharing/record_requests.py", 16): "record request ids: names in URLs, every use checks the token",
    ("services/platform/audit_keys.py", 6): "the suffix of a temporary file name",
    ("services/production/intake_inventory.py", 4): "the suffix of a temporary file name",
    ("storage/private.py", 8): "the suffix of a temporary file name",
    ("services/preservation/packages/writer.py", 6): "the suffix of a package's temporary folder name",
    ("storage/blobs.py", 8): "the suffix of a temporary file name",
    ("storage/keyring.py", 3): "the suffix of a key's id (a name; the key itself is token_bytes(32))",
    ("storage/keyring.py", 4): "the suffix of a temporary file name",
}


def _token_calls(source: Path) -> Iterator[int]:
    """The byte counts of ``secrets.token_bytes/hex/urlsafe(n)`` calls (32, the default, when none is given)."""
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "secrets"
                and node.func.attr in ("token_bytes", "token_hex", "token_urlsafe")):
            argument = node.args[0] if node.args else None
            yield argument.value if isinstance(argument, ast.Constant) else 32  # type: ignore[misc]


def test_generated_secrets_have_at_least_32_random_bytes() -> None:
    src = ROOT / "src" / "sohoa"
    short = {(str(path.relative_to(src)), n) for path in src.rglob("*.py") for n in _token_calls(path) if n < 32}
    assert short <= set(_SHORT_RANDOM_OK), sorted(short - set(_SHORT_RANDOM_OK))


def test_cli_processes_run_with_umask_077(tmp_path: Path) -> None:
    box = tmp_path / "box"
    box.mkdir()
    text_page(box / "p1.png", ["Quyết định"])
    gate = str(tmp_path / "gate")
    env = {**_env(tmp_path / "data", None), "SOHOA_TEST_GATE": gate}
    run = subprocess.Popen([sys.executable, "-m", "tests.security._fake_cli", "ingest", str(box), "--json"],
                           cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not Path(gate + ".started").exists():
            assert run.poll() is None and time.monotonic() < deadline, run.communicate()
            time.sleep(0.05)
        status = Path(f"/proc/{run.pid}/status").read_text()
        assert "Umask:\t0077" in status
    finally:
        Path(gate + ".open").touch()
        run.communicate(timeout=120)
    assert run.returncode == 0
