"""Interoperability adapters: OAI-PMH (/oai) and the IIIF Image and Presentation APIs (/iiif/3).

Each module holds one protocol's router; ``ROUTERS`` lists them for the application factory.
The protocols' logic (what is visible, records, manifests, tiles) lives in ``sohoa.services.sharing``.
"""

from __future__ import annotations

from fastapi import APIRouter

from sohoa.interop import iiif, iiif_presentation, oai

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (iiif.router, iiif_presentation.router, oai.router)
