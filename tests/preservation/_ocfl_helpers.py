"""Running ocfl-py's validator (independent of Sohoa's writer) over a storage root and every object in it.

ocfl-py 2.1.0's ``ocfl-validate.py ROOT`` checks the root's structure and walks it, but its verdict (exit
status) ignores the objects' own errors and prints none of them: a root with a damaged object still exits 0.
So :func:`ocfl_validate` passes the root *and* each object folder (found by walking the disk for
``0=ocfl_object_1.1``, not through Sohoa's code) in one run: the exit status is 0 only when every path is
valid, and each object's errors are printed. Its warning W004 (sha256 rather than sha512) is expected: Sohoa's
digests are sha256 (contract decision).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.preservation._validators import validator_command


def object_folders(root: Path) -> list[Path]:
    """Every folder under ``root`` holding an OCFL object declaration."""
    return sorted(Path(folder) for folder, _dirs, files in os.walk(root) if "0=ocfl_object_1.1" in files)


def ocfl_validate(root: Path) -> tuple[bool, str]:
    """ocfl-py's verdict on a storage root and each of its objects, and what it printed."""
    done = subprocess.run(validator_command("ocfl-validate.py", root, *object_folders(root)), capture_output=True,
                          text=True, timeout=600, check=False)
    return done.returncode == 0, done.stdout + done.stderr
