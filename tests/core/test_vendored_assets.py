"""The browser assets the web app serves are the ones package-lock.json pins (no CDN, no drift)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "sohoa" / "web" / "static" / "vendor"


def test_vendored_openseadragon_is_the_pinned_version() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/openseadragon"]["version"]
    wanted = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]["openseadragon"]
    assert pinned == wanted, "package.json must pin an exact version"
    folder = VENDOR / "openseadragon"
    assert (folder / "VERSION").read_text(encoding="utf-8").strip() == pinned
    script = (folder / "openseadragon.min.js").read_text(encoding="utf-8")
    assert f"openseadragon {pinned}" in script[:200], "the vendored script is not the pinned release"
    assert (folder / "LICENSE.txt").is_file()
    assert len(list((folder / "images").glob("*.png"))) >= 20


def test_vendored_axe_core_is_the_pinned_version() -> None:
    """axe-core, the accessibility scan the browser tests inject (tests only: never served by the app)."""
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/axe-core"]["version"]
    wanted = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]["axe-core"]
    assert pinned == wanted, "package.json must pin an exact version"
    folder = ROOT / "tests" / "web" / "vendor" / "axe-core"
    assert (folder / "VERSION").read_text(encoding="utf-8").strip() == pinned
    script = (folder / "axe.min.js").read_text(encoding="utf-8")
    assert f"axe v{pinned}" in script[:100], "the vendored script is not the pinned release"
    assert "Mozilla Public" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert not (VENDOR / "axe-core").exists()  # a test tool, not one of the app's assets
