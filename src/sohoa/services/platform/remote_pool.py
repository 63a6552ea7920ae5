"""Page jobs of a CLI ingest run by the warm pool of a running `sohoa serve`, over the control socket.

The server registers ``pool.info`` and ``pool.pages`` (``register_pool``); ``running_pool(settings)``
gives the CLI a ``SharedPool`` over them when a server of the same data directory answers with the same
OCR settings, else None (the CLI then starts a pool of its own). The server's workers read the pages
from the CLI's private work copy: same account, same data directory (``work/``), checked on both sides.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from sohoa.pipeline.work import PageFailure, PageJob
from sohoa.services.platform.control import Channel, ClientChannel, ControlClient, ControlServer, connect
from sohoa.services.platform.pool import Result
from sohoa.services.platform.warm_pool import WarmPool
from sohoa.settings import Settings

__all__ = ["RemotePagePool", "RunningPool", "pool_info", "register_pool", "running_pool"]

log = logging.getLogger(__name__)


def pool_info(settings: Settings) -> dict[str, Any]:
    """What must match between the CLI and the server for the server's engines to do the CLI's pages."""
    return {"work_dir": str(settings.work_dir), "languages": settings.ocr_languages,
            "tessdata": str(settings.tessdata or ""), "variables": settings.tesseract_variables}


def _inside(path: str, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder.resolve())


def register_pool(server: ControlServer, pool: WarmPool) -> None:
    """Offer ``pool`` on the control socket."""
    info = {**pool_info(pool.settings), "workers": pool.workers}
    server.register("pool.info", lambda _payload, channel: channel.send(info))
    server.register("pool.pages", lambda _payload, channel: _serve_pages(pool, channel))


def _serve_pages(pool: WarmPool, channel: Channel) -> None:
    """One ingest's conversation: ``("submit", jobs)``, ``("results", block)`` (answered by ``("result", r)``
    frames and ``("done", None)``), ``("close", None)``."""
    work = pool.settings.work_dir
    with pool.session() as session:
        while True:
            kind, value = channel.recv()
            if kind == "submit":
                jobs: list[PageJob] = value
                outside = [j for j in jobs if not _inside(j.page.source_path, work)]
                if outside:  # the server reads only work copies of its own data directory
                    raise PermissionError(f"page outside {work}: {outside[0].page.source_path}")
                session.submit(jobs)
            elif kind == "results":
                for result in session.results(block=bool(value)):
                    channel.send(("result", result))
                channel.send(("done", None))
            else:
                return


class RemotePagePool:
    """The ``PagePool`` interface over one ``pool.pages`` conversation. If the server goes away, the
    pages not back yet fail (retryably, like pages of a killed worker) and later ones fail at once."""

    def __init__(self, client: ControlClient) -> None:
        self._client = client
        self._channel: ClientChannel | None = None
        self._pending: dict[tuple[int, int], PageJob] = {}  # (item id, page index) → job not back yet
        self._lost: str | None = None

    def __enter__(self) -> RemotePagePool:
        try:
            self._channel = self._client.open("pool.pages")
        except OSError as exc:
            self._lost = f"{type(exc).__name__}: {exc}"
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        channel, self._channel = self._channel, None
        if channel is None:
            return
        try:
            channel.send(("close", None))
            list(channel.items())
        except (OSError, RuntimeError):
            pass
        channel.close()

    def submit(self, jobs: Sequence[PageJob]) -> None:
        for job in jobs:
            self._pending[(job.item_id, job.page.page_index)] = job
        if self._channel is None or self._lost:
            return
        try:
            self._channel.send(("submit", list(jobs)))
        except OSError as exc:
            self._lose(exc)

    def results(self, *, block: bool) -> Iterator[Result]:
        if self._channel is not None and not self._lost and self._pending:
            try:
                self._channel.send(("results", block))
                while True:
                    more, (kind, value) = self._next()
                    if not more or kind == "done":
                        break
                    self._pending.pop((value.item_id, value.source_index), None)
                    yield value
            except (OSError, RuntimeError) as exc:
                self._lose(exc)
        if self._lost:
            for (item_id, index), _job in list(self._pending.items()):
                del self._pending[(item_id, index)]
                yield PageFailure(item_id, index, f"running server lost: {self._lost}")

    def _next(self) -> tuple[bool, tuple[str, Any]]:
        assert self._channel is not None
        more, value = self._channel.next()
        return more, (value if more else ("done", None))

    def _lose(self, exc: BaseException) -> None:
        log.warning("the running server's pool went away: %s", exc)
        self._lost = f"{type(exc).__name__}: {exc}"


class RunningPool:
    """The running server's warm pool as a ``SharedPool`` of this process."""

    def __init__(self, client: ControlClient) -> None:
        self.client = client

    def session(self) -> RemotePagePool:
        return RemotePagePool(self.client)


def running_pool(settings: Settings) -> RunningPool | None:
    """The warm pool of a `sohoa serve` on this data directory with the same OCR settings, else None."""
    client = connect(settings)
    if client is None:
        return None
    try:
        info = next(iter(client.call("pool.info", timeout=1.0)), None)
    except (OSError, RuntimeError):
        return None
    if not isinstance(info, dict) or any(info.get(k) != v for k, v in pool_info(settings).items()):
        return None  # another data directory's work folder or other OCR settings: do the pages here
    return RunningPool(client)
