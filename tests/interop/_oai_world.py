"""A live Sohoa server for OAI-PMH tests (uvicorn in a thread, SQLite or PostgreSQL) and its documents."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from lxml import etree
from sqlalchemy import update

from sohoa.app import create_app
from sohoa.db.models import Document, FileUnit, Fonds, OaiRecord, Unit
from sohoa.services.identity import tokens
from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings
from tests.security._audit_helpers import serve as serve_app

SCHEMAS = Path(__file__).with_name("oai_schemas")
ND30_XSD = Path(__file__).parents[2] / "src" / "sohoa" / "services" / "sharing" / "nd30.xsd"
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
REPO = "luutru.test.vn"
PAGE = 3


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(ND30_XSD if name == "nd30" else SCHEMAS / name)))


@dataclass
class World:
    """The server's base URL, its context and the documents by name."""

    base: str
    ctx: AppContext
    docs: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)

    @property
    def oai(self) -> str:
        return f"{self.base}/oai"

    def oai_id(self, name: str) -> str:
        return f"oai:{REPO}:doc/{self.docs[name]}"

    def add(self, name: str, *, unit: str = "own", level: str = "public", state: str = "published",
            secrecy: str | None = None, type_name: str = "Quyết định", subject: str | None = None) -> int:
        with self.ctx.db.session() as session:
            serial = len(self.docs) + 1
            doc = Document(file_id=self.files[unit], unit_id=self.units[unit], source_name=f"{name}.pdf",
                           type_name=type_name, code_number=str(100 + serial), code_notation="QĐ-UBND",
                           issued_date=date(2020, 1, serial), organ_name="Ủy ban nhân dân phường Thử",
                           subject=subject or f"Về việc hòa giải số {serial} ({name})", place="Hà Nội",
                           signer_full_name="Nguyễn Văn Bình", signer_position="Chủ tịch",
                           doc_code=f"H26.T1.{serial:04d}", access_level=level, secrecy=secrecy, state=state,
                           page_amount=2, text=f"zq{name}mark")
            session.add(doc)
            session.flush()
            self.docs[name] = doc.id
            return doc.id

    def change(self, name: str, **values: object) -> None:
        with self.ctx.db.session() as session:
            session.execute(update(Document).where(Document.id == self.docs[name]).values(**values))

    def age_datestamps(self, hours: int = 1) -> None:
        """Move every datestamp an hour back: what the table looks like once time has passed."""
        with self.ctx.db.session() as session:
            for row in session.query(OaiRecord):
                row.datestamp = row.datestamp - timedelta(hours=hours)

    def token(self, name: str, scopes: list[str], unit: str | None = None) -> str:
        identifier = {"own": "000.00.00.H26.T1", "other": "000.00.00.H26.T2"}[unit] if unit else None
        return tokens.create_token(self.ctx, name, scopes, unit=identifier, actor="admin")[0]


def _world(ctx: AppContext, base: str) -> World:
    world = World(base, ctx)
    with ctx.db.session() as session:
        for key, ident in (("own", "000.00.00.H26.T1"), ("other", "000.00.00.H26.T2")):
            unit = Unit(identifier=ident, name=f"Phường {key}", name_folded=f"phuong {key}", unit_type="phường")
            session.add(unit)
            session.flush()
            fonds = Fonds(code=f"F{key.upper()}", name=f"Phông UBND phường {key}", unit_id=unit.id)
            session.add(fonds)
            session.flush()
            file = FileUnit(file_code=f"HS.{key}.01", title=f"Hồ sơ hòa giải {key}", unit_id=unit.id,
                            fonds_id=fonds.id, access_level="public")
            session.add(file)
            session.flush()
            world.units[key], world.files[key] = unit.id, file.id
    return world


def serve(tmp_path: Path, database_url: str | None, sync_seconds: float = 0) -> Iterator[World]:
    settings = Settings(data=tmp_path / "data", workers=1, oai_repository_id=REPO, oai_page_size=PAGE,
                        oai_sync_seconds=sync_seconds,
                        api_rate_per_minute=10**6, **({"database_url": database_url} if database_url else {}))
    ctx = open_context(settings)
    try:
        with serve_app(create_app(ctx, watch_hot_folders=False)) as base:
            yield _world(ctx, base)
    finally:
        ctx.close()
