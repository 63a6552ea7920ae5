"""IIIF Image API 3.0: info.json, pixels of regions, sizes, turns and qualities, errors, access and caching."""

from __future__ import annotations

import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageChops, ImageStat
from reportlab.pdfgen import canvas
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Document, Event, Page
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.objects import store_bytes
from sohoa.services.production import review
from sohoa.services.sharing.iiif_disk import TileStore
from sohoa.services.sharing.iiif_images import ImageCache, _Pyramid
from sohoa.settings import Settings

from ._iiif_world import HEIGHT, WIDTH, World, build, login, page_ids, page_image, png

BASE = "/iiif/3/image"


@pytest.fixture
def world(ctx: AppContext) -> World:
    return build(ctx)


@pytest.fixture
def client(ctx: AppContext, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False) as client:
        yield client


def _image(response: object) -> Image.Image:
    assert response.status_code == 200, (response.status_code, response.text[:300])  # type: ignore[attr-defined]
    return Image.open(io.BytesIO(response.content))  # type: ignore[attr-defined]


def _mean_difference(a: Image.Image, b: Image.Image) -> float:
    assert a.size == b.size
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


def test_info_json(client: TestClient, world: World) -> None:
    doc = world.docs["public"]
    response = client.get(f"{BASE}/{doc}-2/info.json", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'
    assert response.headers["access-control-allow-origin"] == "*"
    assert 'rel="profile"' in response.headers["link"]
    info = response.json()
    assert info["@context"] == "http://iiif.io/api/image/3/context.json"
    assert info["id"] == f"http://testserver{BASE}/{doc}-2"
    assert (info["type"], info["protocol"], info["profile"]) == ("ImageService3", "http://iiif.io/api/image", "level2")
    assert (info["width"], info["height"]) == (WIDTH, HEIGHT)
    assert info["tiles"] == [{"width": 512, "height": 512, "scaleFactors": [1, 2, 4]}]
    assert info["sizes"][-1] == {"width": WIDTH, "height": HEIGHT}
    assert info["sizes"][0]["width"] < 128
    assert client.get(f"{BASE}/{doc}-2/info.json").headers["content-type"] == "application/json"
    # the base URI redirects to the information
    base = client.get(f"{BASE}/{doc}-2", follow_redirects=False)
    assert base.status_code == 303 and base.headers["location"] == f"{BASE}/{doc}-2/info.json"


def test_regions_at_full_size_are_the_exact_pixels(client: TestClient, world: World) -> None:
    doc, page = world.docs["public"], page_image(world.seeds[("public", 3)])
    got = _image(client.get(f"{BASE}/{doc}-3/512,1024,512,512/max/0/default.png"))
    assert got.tobytes() == page.crop((512, 1024, 1024, 1536)).tobytes()
    # a region running off the edge is cut at the edge
    edge = _image(client.get(f"{BASE}/{doc}-3/1024,1536,512,512/max/0/color.png"))
    assert edge.size == (WIDTH - 1024, HEIGHT - 1536)
    assert edge.tobytes() == page.crop((1024, 1536, WIDTH, HEIGHT)).tobytes()
    square = _image(client.get(f"{BASE}/{doc}-3/square/max/0/default.png"))
    top = (HEIGHT - WIDTH) // 2
    assert square.tobytes() == page.crop((0, top, WIDTH, top + WIDTH)).tobytes()
    pct = _image(client.get(f"{BASE}/{doc}-3/pct:10,20,50,25/max/0/default.png"))
    assert pct.tobytes() == page.crop((130, 340, 130 + 650, 340 + 425)).tobytes()


def test_sizes_turns_and_qualities(client: TestClient, world: World) -> None:
    doc, page = world.docs["public"], page_image(world.seeds[("public", 1)])
    tile = page.crop((0, 0, 1024, 1024))
    half = _image(client.get(f"{BASE}/{doc}-1/0,0,1024,1024/512,/0/default.png"))
    assert half.size == (512, 512)
    assert _mean_difference(half, tile.resize((512, 512), Image.Resampling.BILINEAR)) < 2
    assert _image(client.get(f"{BASE}/{doc}-1/full/,170/0/default.jpg")).size == (130, 170)
    assert _image(client.get(f"{BASE}/{doc}-1/full/pct:10/0/default.jpg")).size == (130, 170)
    assert _image(client.get(f"{BASE}/{doc}-1/full/!200,200/0/default.jpg")).size == (153, 200)
    assert _image(client.get(f"{BASE}/{doc}-1/full/300,100/0/default.jpg")).size == (300, 100)
    region = page.crop((100, 200, 400, 300))
    turned = _image(client.get(f"{BASE}/{doc}-1/100,200,300,100/max/90/default.png"))
    assert turned.tobytes() == region.transpose(Image.Transpose.ROTATE_270).tobytes()
    mirrored = _image(client.get(f"{BASE}/{doc}-1/100,200,300,100/max/!180/default.png"))
    expected = region.transpose(Image.Transpose.FLIP_LEFT_RIGHT).transpose(Image.Transpose.ROTATE_180)
    assert mirrored.tobytes() == expected.tobytes()
    gray = _image(client.get(f"{BASE}/{doc}-1/100,200,300,100/max/0/gray.png"))
    assert gray.mode == "L" and gray.tobytes() == region.convert("L").tobytes()
    bitonal = _image(client.get(f"{BASE}/{doc}-1/100,200,300,100/max/0/bitonal.png"))
    assert set(bitonal.convert("L").get_flattened_data()) <= {0, 255}
    webp = client.get(f"{BASE}/{doc}-1/full/200,/270/default.webp")
    assert webp.headers["content-type"] == "image/webp" and _image(webp).size == (262, 200)
    jpg = client.get(f"{BASE}/{doc}-1/full/max/0/default.jpg")
    assert jpg.headers["content-type"] == "image/jpeg" and _image(jpg).size == (WIDTH, HEIGHT)


@pytest.mark.parametrize("path", [
    "full/max/45/default.jpg", "full/max/0/best.jpg", "full/max/0/default.gif", "full/max/0/default",
    "2000,0,10,10/max/0/default.jpg", "0,0,0,10/max/0/default.jpg", "nonsense/max/0/default.jpg",
    "full/^max/0/default.jpg", f"full/{WIDTH + 1},/0/default.jpg", "full/pct:101/0/default.jpg",
    "full/0,/0/default.jpg", "full/!100,/0/default.jpg", "full/,/0/default.jpg", "full/big/0/default.jpg",
])
def test_bad_requests_are_400(client: TestClient, world: World, path: str) -> None:
    assert client.get(f"{BASE}/{world.docs['public']}-1/{path}").status_code == 400


def test_unknown_images_are_404(client: TestClient, world: World) -> None:
    doc = world.docs["public"]
    for name in (f"{doc}-9", f"{doc + 1000}-1", "x-1", f"{doc}-0", f"{doc}-1-1"):
        assert client.get(f"{BASE}/{name}/info.json").status_code == 404, name
        assert client.get(f"{BASE}/{name}/full/max/0/default.jpg").status_code == 404, name


def test_etag_and_cache_headers(client: TestClient, world: World) -> None:
    url = f"{BASE}/{world.docs['public']}-1/0,0,512,512/max/0/default.jpg"
    first = client.get(url)
    assert first.headers["cache-control"].startswith("public")
    assert first.headers["access-control-allow-origin"] == "*"
    assert 'rel="canonical"' in first.headers["link"]
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and not again.content
    assert client.get(url.replace("0,0,512", "512,0,512")).headers["etag"] != first.headers["etag"]


def _page_views(ctx: AppContext, doc_id: int) -> int:
    with ctx.db.session() as session:
        return len(session.execute(select(Event.id).where(Event.action == "page.view", Event.entity_id == doc_id)
                                   ).all())


def test_one_page_view_per_info_never_per_tile(ctx: AppContext, client: TestClient, world: World) -> None:
    doc = world.docs["public"]
    before = _page_views(ctx, doc)
    client.get(f"{BASE}/{doc}-1/info.json")
    for x in range(0, WIDTH, 512):
        assert client.get(f"{BASE}/{doc}-1/{x},0,512,512/max/0/default.jpg").status_code == 200
    assert _page_views(ctx, doc) == before + 1


def _status(client: TestClient, url: str, token: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, headers=headers).status_code


def test_access_policy_on_info_and_every_tile(any_ctx: AppContext) -> None:
    world = build(any_ctx)
    app = create_app(any_ctx, watch_hot_folders=False)
    with TestClient(app, raise_server_exceptions=False) as anon, TestClient(app) as staff:
        login(staff)
        for key, (anon_sees, staff_sees, public_token, admin_token) in {
            "public": (True, True, True, True), "internal": (False, True, False, True),
            "secret": (False, False, False, False), "review": (False, True, False, True),
        }.items():
            image = f"{BASE}/{world.docs[key]}-1"
            for url in (f"{image}/info.json", f"{image}/0,0,512,512/256,/0/default.jpg"):
                assert _status(anon, url) == (200 if anon_sees else 404), (key, url)
                assert _status(staff, url) == (200 if staff_sees else 404), (key, url)
                assert _status(anon, url, world.tokens["public"]) == (200 if public_token else 404), (key, url)
                assert _status(anon, url, world.tokens["admin"]) == (200 if admin_token else 404), (key, url)
        internal = staff.get(f"{BASE}/{world.docs['internal']}-1/full/100,/0/default.jpg")
        assert internal.headers["cache-control"] == "private, no-cache"
        assert "access-control-allow-origin" not in internal.headers
        assert _status(anon, f"{BASE}/{world.docs['public']}-1/info.json", "sohoa_wrong") == 401


def test_reordered_pages_show_their_own_pixels(ctx: AppContext, client: TestClient, world: World) -> None:
    doc = world.docs["public"]
    url = f"{BASE}/{doc}-1/0,0,400,400/max/0/default.png"
    first = client.get(url)
    assert _image(first).tobytes() == page_image(world.seeds[("public", 1)]).crop((0, 0, 400, 400)).tobytes()
    review.reorder_pages(ctx, doc, list(reversed(page_ids(ctx, doc))), actor="archivist")
    after = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200, "a reordered page no longer matches the old ETag"
    assert _image(after).tobytes() == page_image(world.seeds[("public", 3)]).crop((0, 0, 400, 400)).tobytes()


def _pdf_document(ctx: AppContext, pdf: bytes, width: int, height: int, dpi: int) -> int:
    with ctx.db.session() as session:
        doc = Document(text="", source_name="x.pdf", access_level="public", state="published", page_amount=1)
        session.add(doc)
        session.flush()
        master = store_bytes(session, ctx.store, pdf, media_type="application/pdf", kind="master")
        session.add(Page(document_id=doc.id, page_no=1, source_index=0, width=width, height=height, dpi=dpi,
                         text="", master_object_id=master.id))
        return doc.id


def test_a_scan_inside_a_pdf_is_served_with_its_own_pixels(ctx: AppContext, client: TestClient) -> None:
    scan = page_image(5, 600, 800)
    out = io.BytesIO()
    scan.save(out, "PDF", resolution=150)
    doc = _pdf_document(ctx, out.getvalue(), 600, 800, 150)
    got = _image(client.get(f"{BASE}/{doc}-1/100,100,200,200/max/0/default.png"))
    as_jpeg = io.BytesIO()  # Pillow writes the scan into the PDF as a JPEG of its default quality
    scan.save(as_jpeg, "JPEG")
    assert got.tobytes() == Image.open(as_jpeg).crop((100, 100, 300, 300)).tobytes()


def test_a_born_digital_page_is_rendered_from_the_master_pdf(ctx: AppContext, client: TestClient) -> None:
    out = io.BytesIO()
    drawing = canvas.Canvas(out, pagesize=(300, 150))
    drawing.rect(30, 30, 120, 60, fill=1)  # a black box at 30..150 × 60..120 from the top (in points)
    drawing.drawString(170, 100, "Quyết định")
    drawing.save()
    doc = _pdf_document(ctx, out.getvalue(), 600, 300, 144)  # 144 dpi: 2 pixels a point
    info = client.get(f"{BASE}/{doc}-1/info.json").json()
    assert (info["width"], info["height"]) == (600, 300)
    box = _image(client.get(f"{BASE}/{doc}-1/80,140,160,60/max/0/gray.png"))  # inside the black box
    assert max(box.get_flattened_data()) < 60
    paper = _image(client.get(f"{BASE}/{doc}-1/0,0,40,40/max/0/gray.png"))
    assert min(paper.get_flattened_data()) > 200


def test_the_cache_of_decoded_pages_is_bounded() -> None:
    cache = ImageCache(3 * 100 * 100)
    for n in range(5):
        cache.put(f"page{n}", _Pyramid(Image.new("RGB", (60, 60))))
    entries, held = cache.size
    assert held <= 3 * 100 * 100 and entries < 5
    assert cache.get("page4") is not None and cache.get("page0") is None


def test_wrong_tokens_are_rate_limited_readers_are_not(tmp_path: Path) -> None:
    context = open_context(Settings(data=tmp_path / "data", workers=1, api_rate_per_minute=6))  # a burst of 1
    try:
        world = build(context)
        with TestClient(create_app(context, watch_hot_folders=False), raise_server_exceptions=False) as client:
            info = f"{BASE}/{world.docs['public']}-1/info.json"
            assert _status(client, info, "sohoa_wrong") == 401
            assert _status(client, info, "sohoa_wrong") == 429
            assert [_status(client, f"{BASE}/{world.docs['internal']}-1/full/64,/0/default.jpg",
                            world.tokens["admin"]) for _ in range(10)] == [200] * 10
    finally:
        context.close()


def test_answers_made_once_are_served_from_disk_by_another_process(ctx: AppContext, world: World) -> None:
    url = f"{BASE}/{world.docs['public']}-2/512,512,512,512/256,/90/gray.png"
    with TestClient(create_app(ctx, watch_hot_folders=False)) as first:
        made = first.get(url)
    assert made.status_code == 200
    assert len(list((ctx.settings.data / "cache" / "iiif").glob("*/*.png"))) == 1
    second_app = create_app(ctx, watch_hot_folders=False)  # as another server process: nothing decoded
    with TestClient(second_app) as second:
        again = second.get(url)
        assert (again.content, again.headers["etag"]) == (made.content, made.headers["etag"])
        assert second_app.state.sohoa_iiif_cache.size == (0, 0)
        assert second.get(f"{BASE}/{world.docs['internal']}-1/full/64,/0/default.jpg").status_code == 404


def test_the_disk_cache_is_bounded(tmp_path: Path) -> None:
    store = TileStore(tmp_path / "tiles", 10_000)
    for n in range(40):
        store.put(f"{n:040x}", "jpg", bytes([n]) * 1000)
    assert store.size() <= 10_000
    assert store.get(f"{39:040x}", "jpg") == bytes([39]) * 1000
    assert store.get(f"{0:040x}", "jpg") is None  # the oldest went first


def test_the_disk_cache_never_shows_a_partial_file(tmp_path: Path) -> None:
    """Writers of the same answer race (threads here, processes in production): readers see all or nothing."""
    store = TileStore(tmp_path / "tiles", 10**8)
    blob = bytes(range(256)) * 4096  # 1 MiB
    seen: list[int] = []

    def work(_: int) -> None:
        for _round in range(20):
            store.put("ab" * 20, "png", blob)
            found = store.get("ab" * 20, "png")
            seen.append(-1 if found is None else int(found == blob))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(4)))
    assert set(seen) == {1}
    assert [p.name for p in (tmp_path / "tiles").glob("*/*")] == ["ab" * 20 + ".png"]


def test_a_16_bit_grey_scan_is_scaled_to_8_bits(ctx: AppContext, client: TestClient) -> None:
    rows = np.linspace(0, 65535, 200).astype(np.uint16)  # top to bottom: black to white, in 16 bits
    deep = Image.fromarray(np.repeat(rows[:, None], 300, axis=1))
    assert deep.mode == "I;16"
    out = io.BytesIO()
    deep.save(out, "PNG")
    with ctx.db.session() as session:
        doc = Document(text="", source_name="x.png", access_level="public", state="published", page_amount=1)
        session.add(doc)
        session.flush()
        master = store_bytes(session, ctx.store, out.getvalue(), media_type="image/png", kind="master")
        session.add(Page(document_id=doc.id, page_no=1, source_index=0, width=300, height=200, dpi=300, text="",
                         master_object_id=master.id))
    got = _image(client.get(f"{BASE}/{doc.id}-1/full/max/0/gray.png"))
    assert got.mode == "L" and got.size == (300, 200)
    assert abs(got.getpixel((150, 199)) - 255) <= 2 and got.getpixel((150, 0)) <= 2
    assert 100 < got.getpixel((150, 100)) < 156


def test_a_page_whose_master_changes_shows_the_new_pixels(ctx: AppContext, client: TestClient, world: World) -> None:
    """A rescan gives the page a new master: neither the memory nor the disk cache serves the old one."""
    doc = world.docs["public"]
    url = f"{BASE}/{doc}-2/0,0,300,300/max/0/default.png"
    before = client.get(url)
    rescan = page_image(99)
    with ctx.db.session() as session:
        page = session.get(Page, page_ids(ctx, doc)[1])
        assert page is not None
        page.master_object_id = store_bytes(session, ctx.store, png(rescan), media_type="image/png",
                                            kind="master").id
    after = client.get(url)
    assert after.headers["etag"] != before.headers["etag"]
    assert _image(after).tobytes() == rescan.crop((0, 0, 300, 300)).tobytes()
