"""Files only the service user may read: 0700 folders, 0600 files, keys created with their mode."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sohoa.domain.errors import SohoaError

__all__ = [
    "PRIVATE_DIR",
    "PRIVATE_FILE",
    "SERVICE_UMASK",
    "check_owner",
    "copy_private",
    "create_private_file",
    "open_private",
    "open_to_others",
    "private_dir",
    "restrict_umask",
    "tighten",
    "tighten_tree",
]

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
SERVICE_UMASK = 0o077  # what sohoa's processes create is the service user's alone
_OPEN_BITS = 0o077     # group and other


def restrict_umask() -> int:
    """Make every file and folder this process creates from now on private; returns the previous umask."""
    return os.umask(SERVICE_UMASK)


def private_dir(path: Path) -> Path:
    """``path`` and its missing parents created 0700 (whatever the umask); existing ones are left alone."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # another process made it in between
            continue
    return path


def open_private(path: Path, *, exclusive: bool = False) -> BinaryIO:
    """A file opened for writing that is 0600 from its creation (truncated when it exists, unless ``exclusive``)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, PRIVATE_FILE)
    os.fchmod(fd, stat.S_IMODE(os.fstat(fd).st_mode) & ~_OPEN_BITS)  # an existing file opened wider
    return os.fdopen(fd, "wb")


def copy_private(source: Path, dest: Path) -> None:
    """Copy a file's bytes into a new 0600 file (the source's mode is not copied)."""
    with source.open("rb") as src, open_private(dest) as out:
        while chunk := src.read(1024 * 1024):
            out.write(chunk)


def create_private_file(path: Path, data: bytes) -> bool:
    """Write a key (or any secret) to ``path`` unless it exists; False when it already did.

    The bytes go to a temporary file created 0600 with O_EXCL in the same folder, are synced, then
    hard-linked to ``path``: no instant where the file exists with a wider mode or half written, and
    two processes creating the same key at once keep the first one.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    with open_private(tmp, exclusive=True) as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True


def check_owner(path: Path) -> None:
    """Refuse a data folder another account owns: tightening it would lock its owner out, leaving it open leaks."""
    owner, me = path.stat().st_uid, os.geteuid()
    if owner != me and me != 0:
        raise SohoaError(
            f"Thư mục dữ liệu {path} thuộc người dùng khác (uid {owner}), không phải tài khoản dịch vụ (uid {me}); "
            "hãy chown cho tài khoản chạy Sohoa",
            f"The data directory {path} is owned by uid {owner}, not by the service user (uid {me}); "
            "chown it to the account Sohoa runs as")


def tighten(path: Path) -> bool:
    """Remove group and other bits from one path (a symlink is never followed); True when it changed."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    mode = stat.S_IMODE(info.st_mode)
    if stat.S_ISLNK(info.st_mode) or not mode & _OPEN_BITS:
        return False
    os.chmod(path, mode & ~_OPEN_BITS)
    return True


def open_to_others(path: Path) -> bool:
    """Whether group or other accounts have any permission on ``path`` (following a symlink)."""
    return path.exists() and bool(stat.S_IMODE(path.stat().st_mode) & _OPEN_BITS)


def _walk(root: Path) -> Iterator[Path]:
    yield root
    for folder, dirs, files in os.walk(root):  # os.walk does not descend into symlinked folders
        for name in (*dirs, *files):
            yield Path(folder, name)


def tighten_tree(root: Path) -> int:
    """Tighten ``root`` and everything under it (symlinks and what they point to are left alone)."""
    return sum(tighten(path) for path in _walk(root))
