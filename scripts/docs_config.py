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
    rows = []
    for name, field in Settings.model_fields.items():
        default = "(number of CPU cores)" if field.default_factory is not None else repr(field.default)
        rows.append(f"| `SOHOA_{name.upper()}` | {default} | {field.description} |")
    out = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
    out.write_text(HEAD + "\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
