"""IIIF Image API 3.0 over page masters: image information and image requests under the access policy.

The image of a page is its master at the page's own pixel size (the size its OCR boxes refer to): a scan
as stored, a PDF page as the PDF writer embeds it (the ingest pipeline's choice, ``embed_bytes``). Masters
are only read. A decoded page and its pyramid (halved again and again) stay in a bounded in-process cache
keyed by the master's SHA-256 and the page's index within it — not by page number, which reordering
changes — so a tile is a resample of an already decoded level and one encode.

Every call asks the access policy first (``visible_document``): a document the caller may not see is
``NotFound``, exactly as an absent one. A caller who may not read the document's personal data gets pixels
with it burned in (``masking_for``): the masked page is decoded and cached under a key holding the masking's
fingerprint, so a reviewer's decision changes the ETag and no cache serves the earlier pixels.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, Page, StoredObject
from sohoa.domain.errors import NotFound
from sohoa.engines.redact import burn_boxes
from sohoa.services.catalogue.documents import visible_document
from sohoa.services.catalogue.personal_derivatives import PageMasking, page_mask_boxes
from sohoa.services.catalogue.personal_masking import audit_personal_view, has_personal_data, masking_for
from sohoa.services.catalogue.personal_policy import sees_personal_data
from sohoa.services.catalogue.search import actor_name
from sohoa.services.identity.policy import can_view_document
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.production.rebuild import embed_bytes
from sohoa.services.sharing.iiif_disk import TileStore
from sohoa.services.sharing.iiif_params import FORMATS, ImagePlan, parse_plan

__all__ = ["IMAGE_CONTEXT", "TILE", "ImageCache", "PageImage", "RenderedImage", "image_info", "page_image_ref",
           "plan_etag", "record_info_view", "render_image", "request_plan"]

IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"
TILE = 512
_SMALLEST = 64  # the pyramid stops halving once a level's longer side is under this
_JPEG_QUALITY = 85
_VERSION = "1"  # part of every ETag: bump when the rendering changes


@dataclass(frozen=True)
class PageImage:
    """One page's image as the access policy let the caller reach it: where its pixels come from and how big."""

    document_id: int
    page_no: int
    page_id: int
    master_sha256: str
    source_index: int
    width: int
    height: int
    public: bool  # visible to an anonymous caller: shared caches and other origins may keep it
    # The caller may not read the document's personal data: the pixels are masked (the masking's fingerprint
    # and the page's OCR, whose rewritten words are burned too, enter the key, the ETag and the disk cache).
    masking: PageMasking | None = field(default=None, compare=False)
    ocr_object_id: int | None = None

    @property
    def key(self) -> str:
        """The cache key of the decoded pixels: the master and the page within it, at the page's size — and
        the masking, when masked."""
        plain = f"{self.master_sha256}:{self.source_index}:{self.width}x{self.height}"
        if self.masking is None:
            return plain
        return f"{plain}:masked:{self.masking.fingerprint}:{self.ocr_object_id}"


@dataclass(frozen=True)
class RenderedImage:
    """An encoded answer to an image request, its media type and its strong ETag."""

    content: bytes
    media_type: str
    etag: str


class _Pyramid:
    """A decoded page (mode L or RGB) and its levels, level k being 1/2^k of the full size."""

    def __init__(self, image: Image.Image) -> None:
        levels = [image]
        while max(levels[-1].size) >= 2 * _SMALLEST:
            levels.append(levels[-1].reduce(2))
        self.levels = levels
        self.nbytes = sum(level.width * level.height * len(level.getbands()) for level in levels)


class ImageCache:
    """A bounded, thread-safe LRU of decoded pages; one per application process."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, _Pyramid] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    def get(self, key: str) -> _Pyramid | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: str, pyramid: _Pyramid) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = pyramid
            self._bytes += pyramid.nbytes
            while self._bytes > self.max_bytes and len(self._items) > 1:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= dropped.nbytes

    def loading_lock(self, key: str) -> threading.Lock:
        """One lock per key being decoded: concurrent requests for a cold page decode it once."""
        with self._lock:
            return self._loading.setdefault(key, threading.Lock())

    def done_loading(self, key: str) -> None:
        with self._lock:
            self._loading.pop(key, None)

    @property
    def size(self) -> tuple[int, int]:
        """(entries, bytes) held now."""
        with self._lock:
            return len(self._items), self._bytes


def _page(session: Session, doc: Document, page_no: int) -> Page:
    page = session.execute(select(Page).where(Page.document_id == doc.id, Page.page_no == page_no)).scalar()
    if page is None:
        raise NotFound(f"Không có trang {page_no}", f"No page {page_no}")
    return page


def page_image_ref(session: Session, principal: Principal | None, document_id: int, page_no: int) -> PageImage:
    """The image of page ``page_no`` (1-based) of a document the caller may see; NotFound otherwise."""
    doc = visible_document(session, principal, document_id)
    page = _page(session, doc, page_no)
    master = session.get(StoredObject, page.master_object_id)
    if master is None:
        raise NotFound(f"Không có ảnh trang {page_no}", f"No image for page {page_no}")
    masking = masking_for(session, doc, principal)
    # Shared caches keep only what an anonymous caller gets: never originals holding personal data, never the
    # copy of staff whose masking differs from the public one (a data subject's restriction).
    public = can_view_document(session, None, doc) and not (
        sees_personal_data(principal) and has_personal_data(session, doc.id))
    return PageImage(doc.id, page_no, page.id, master.sha256, page.source_index, page.width, page.height, public,
                     masking, page.ocr_object_id)


def _decode(ctx: AppContext, ref: PageImage) -> Image.Image:
    """The page's pixels at its recorded size, as the PDF writer receives them (mode L or RGB)."""
    with ctx.db.session() as session:
        page = session.get(Page, ref.page_id)
        master = session.get(StoredObject, page.master_object_id) if page is not None else None
        if page is None or master is None or master.sha256 != ref.master_sha256:
            raise NotFound("Trang vừa thay đổi, hãy tải lại", "The page has just changed, reload it")
        data, _media_type = embed_bytes(ctx, master, page)
        boxes = page_mask_boxes(ctx.store, session, page, ref.masking) if ref.masking is not None else ()
    with Image.open(io.BytesIO(data)) as opened:
        if opened.mode.startswith("I") or opened.mode == "F":  # 16-bit grey: scaled to 8 bits, not clipped
            image = opened.point(lambda v: v / 256).convert("L")
        else:
            image = opened.convert("L") if opened.mode in ("1", "L") else opened.convert("RGB")
    if image.size != (ref.width, ref.height):  # a PDF page rendered at its dpi may differ by a pixel
        image = image.resize((ref.width, ref.height), Image.Resampling.LANCZOS)
    return burn_boxes(image, boxes) if boxes else image


def _pyramid(ctx: AppContext, cache: ImageCache, ref: PageImage) -> _Pyramid:
    found = cache.get(ref.key)
    if found is not None:
        return found
    try:
        with cache.loading_lock(ref.key):
            found = cache.get(ref.key)
            if found is None:
                found = _Pyramid(_decode(ctx, ref))
                cache.put(ref.key, found)
    finally:
        cache.done_loading(ref.key)
    return found


def _levels(width: int, height: int) -> list[tuple[int, int]]:
    """The sizes of the pyramid levels (what ``_Pyramid`` makes), full size first."""
    sizes = [(width, height)]
    while max(sizes[-1]) >= 2 * _SMALLEST:
        w, h = sizes[-1]
        sizes.append(((w + 1) // 2, (h + 1) // 2))
    return sizes


def image_info(ref: PageImage, service_id: str) -> dict[str, Any]:
    """The image information document (``info.json``) of one page image."""
    levels = _levels(ref.width, ref.height)
    factors = [2**k for k in range(len(levels)) if 2**k == 1 or max(ref.width, ref.height) > TILE * 2**(k - 1)]
    return {
        "@context": IMAGE_CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level2",
        "width": ref.width,
        "height": ref.height,
        "sizes": [{"width": w, "height": h} for w, h in reversed(levels)],
        "tiles": [{"width": TILE, "height": TILE, "scaleFactors": factors}],
        "extraQualities": ["color", "gray", "bitonal"],
        "extraFormats": ["webp"],
        "extraFeatures": ["mirroring", "profileLinkHeader", "canonicalLinkHeader", "cors", "jsonldMediaType"],
    }


def _resample(pyramid: _Pyramid, plan: ImagePlan) -> Image.Image:
    """The region at the output size, from the smallest level still at least as fine as the output."""
    x, y, w, h = plan.region
    width, height = plan.size
    scale = min(w / width, h / height)
    level = 0
    while level + 1 < len(pyramid.levels) and 2 ** (level + 1) <= scale:
        level += 1
    source, factor = pyramid.levels[level], 2**level
    box = (x / factor, y / factor, min((x + w) / factor, source.width), min((y + h) / factor, source.height))
    if box == (int(box[0]), int(box[1]), box[0] + width, box[1] + height):  # same pixels: a plain crop
        return source.crop((int(box[0]), int(box[1]), int(box[2]), int(box[3])))
    return source.resize((width, height), Image.Resampling.BILINEAR, box=box, reducing_gap=None)


_TURNS = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


def _finish(image: Image.Image, plan: ImagePlan) -> Image.Image:
    if plan.mirror:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if plan.rotation:  # IIIF turns clockwise; Pillow's ROTATE_n turns counter-clockwise
        image = image.transpose(_TURNS[plan.rotation])
    if plan.quality == "gray" and image.mode != "L":
        image = image.convert("L")
    elif plan.quality == "color" and image.mode != "RGB":
        image = image.convert("RGB")
    elif plan.quality == "bitonal":
        image = image.convert("L").point(lambda v: 255 if v >= 128 else 0)
        image = image.convert("1") if plan.format != "jpg" else image
    return image


def _encode(image: Image.Image, fmt: str) -> bytes:
    writer, _media_type = FORMATS[fmt]
    out = io.BytesIO()
    if writer == "JPEG":
        image.save(out, writer, quality=_JPEG_QUALITY)
    elif writer == "PNG":
        image.save(out, writer, compress_level=1)  # speed over a few per cent of size
    else:
        image.save(out, writer, quality=_JPEG_QUALITY, method=0)
    return out.getvalue()


def plan_etag(ref: PageImage, plan: ImagePlan) -> str:
    """The strong ETag of an answer, known before rendering: the pixels' key and the canonical request."""
    digest = hashlib.sha256(f"{_VERSION}:{ref.key}:{plan.canonical}".encode()).hexdigest()
    return f'"{digest[:40]}"'


def render_image(ctx: AppContext, cache: ImageCache, ref: PageImage, plan: ImagePlan,
                 disk: TileStore | None = None) -> RenderedImage:
    """The encoded answer to one image request on a page the caller may see (``ref``): from the disk cache
    when an earlier request (of any process) made it, else rendered from the decoded page (and kept)."""
    etag = plan_etag(ref, plan)
    media_type = FORMATS[plan.format][1]
    found = disk.get(etag.strip('"'), plan.format) if disk is not None else None
    if found is not None:
        return RenderedImage(found, media_type, etag)
    content = _encode(_finish(_resample(_pyramid(ctx, cache, ref), plan), plan), plan.format)
    if disk is not None:
        disk.put(etag.strip('"'), plan.format, content)
    return RenderedImage(content, media_type, etag)


def request_plan(ref: PageImage, region: str, size: str, rotation: str, quality_format: str) -> ImagePlan:
    """The checked plan of an image request on ``ref`` (ValidationFailed → 400)."""
    return parse_plan(region, size, rotation, quality_format, ref.width, ref.height)


def record_info_view(ctx: AppContext, principal: Principal | None, ref: PageImage, channel: str) -> None:
    """A page view in the audit log: once per image information fetch, never per tile."""
    with ctx.db.session() as session:
        record_event(session, actor_name(principal), "page.view", "document", ref.document_id,
                     {"channel": channel, "page": ref.page_no, "kind": "iiif"})
        doc = session.get(Document, ref.document_id)
        if ref.masking is None and doc is not None:
            audit_personal_view(session, principal, doc, channel)
