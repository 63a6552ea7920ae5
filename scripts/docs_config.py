"""Write docs/configuration.md from the settings object (run after adding a setting)."""

from __future__ import annotations

from pathlib import Path

from sohoa.settings import Settings

HEAD = """# Configuration

Sohoa reads one typed settings object from the environment (`SOHOA_*`), validated at start-up.
Nothing else reads the environment. Secrets (`SOHOA_SECRET_KEY`, signing keys) are never in the
repository: when unset, a random key is generated into the data directory on first start.

| Variable | Default | Meaning |
|---|---|---|
"""


def main() -> None:
    """Write the file when it is missing; otherwise add a row for each undocumented setting at the end of the
    table, leaving the hand-written text and rows (defaults and meanings edited by hand) as they are."""
    rows = {}
    for name, field in Settings.model_fields.items():
        default = "(number of CPU cores)" if field.default_factory is not None else repr(field.default)
        rows[f"SOHOA_{name.upper()}"] = f"| `SOHOA_{name.upper()}` | {default} | {field.description} |"
    out = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
    if not out.exists():
        out.write_text(HEAD + "\n".join(rows.values()) + "\n", encoding="utf-8")
        return
    lines = out.read_text(encoding="utf-8").split("\n")
    table = [i for i, line in enumerate(lines) if line.startswith("| `SOHOA_")]
    missing = [row for key, row in rows.items() if f"`{key}`" not in "\n".join(lines)]
    end = (table[-1] + 1) if table else len(lines)
    lines[end:end] = missing
    out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
