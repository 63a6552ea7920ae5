"""Streaming multipart/form-data: the file part goes to a sink chunk by chunk, never whole in memory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

__all__ = ["FileSink", "FormError", "receive_form"]


class FormError(Exception):
    """A request body that is not the form we take; ``status`` is the HTTP answer (400 or 413)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class FileSink(Protocol):
    """Where the file part's bytes go (``UploadSink`` of the ingest service)."""

    def open(self, filename: str) -> None: ...

    def write(self, data: bytes) -> None: ...


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


@dataclass
class _Parts:
    """Parser callbacks: they only record, in order, what the sink must do (its I/O runs off the event loop)."""

    file_field: str
    max_fields: int
    max_field_bytes: int
    ops: list[Callable[[FileSink], None]] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    header: bytes = b""
    value: bytes = b""
    disposition: bytes = b""
    name: str | None = None
    is_file: bool = False
    buffer: bytearray = field(default_factory=bytearray)
    count: int = 0

    def on_part_begin(self) -> None:
        self.disposition, self.name, self.is_file, self.buffer = b"", None, False, bytearray()
        self.count += 1
        if self.count > self.max_fields:
            raise FormError(400, "Quá nhiều trường / too many form fields")

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.value += data[start:end]

    def on_header_end(self) -> None:
        if self.header.lower() == b"content-disposition":
            self.disposition = self.value
        self.header, self.value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        if b"name" not in options:
            raise FormError(400, "Thiếu tên trường / a form part without a name")
        self.name = _text(options[b"name"])
        if self.name == self.file_field:
            filename = _text(options.get(b"filename", b""))
            self.is_file = True
            self.ops.append(lambda sink: sink.open(filename))

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = bytes(data[start:end])
        if self.is_file:
            self.ops.append(lambda sink: sink.write(chunk))
            return
        self.buffer += chunk
        if len(self.buffer) > self.max_field_bytes:
            raise FormError(413, f"Trường '{self.name}' quá dài / form field too long")

    def on_part_end(self) -> None:
        if not self.is_file and self.name is not None:
            self.fields[self.name] = _text(bytes(self.buffer))

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {"on_part_begin": self.on_part_begin, "on_header_field": self.on_header_field,
                "on_header_value": self.on_header_value, "on_header_end": self.on_header_end,
                "on_headers_finished": self.on_headers_finished, "on_part_data": self.on_part_data,
                "on_part_end": self.on_part_end}


def _apply(ops: list[Callable[[FileSink], None]], sink: FileSink) -> None:
    for op in ops:
        op(sink)


async def receive_form(request: Request, sink: FileSink, *, file_field: str = "file", max_fields: int = 8,
                       max_field_bytes: int = 1024) -> dict[str, str]:
    """Read a multipart body: the ``file_field`` part is streamed into ``sink``; the other fields are returned.

    The sink's errors (too large, bad name) surface here as they happen, so an oversized upload stops being
    read at the limit rather than after the last byte.
    """
    kind, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise FormError(400, "Cần multipart/form-data / multipart/form-data expected")
    parts = _Parts(file_field, max_fields, max_field_bytes)
    try:
        parser = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
        async for chunk in request.stream():
            parser.write(chunk)
            if parts.ops:
                ops, parts.ops = parts.ops, []
                await run_in_threadpool(_apply, ops, sink)
        parser.finalize()
    except FormParserError as exc:
        raise FormError(400, "Dữ liệu multipart không hợp lệ / invalid multipart body") from exc
    if parts.ops:
        await run_in_threadpool(_apply, parts.ops, sink)
    return parts.fields
