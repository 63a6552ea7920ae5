"""Envelope encryption of one stored object: a self-describing file that decrypts with its KEK and this format.

Layout (every number big-endian)::

    b"SOHOA-ENVELOPE/1\\n"          17 bytes, the magic line
    header length                  4 bytes, unsigned
    header                         UTF-8 JSON (keys below)
    chunk 0 … chunk n-1            each: ciphertext (chunk_size bytes, the last one shorter) + 16-byte GCM tag

Header keys: ``format`` "sohoa-envelope", ``version`` 1, ``cipher`` "AES-256-GCM", ``chunk_size`` (plaintext bytes
per chunk, 1 MiB), ``tag_size`` 16, ``nonce_prefix`` (8 random bytes, hex), ``plaintext_size``,
``plaintext_sha256`` (the object's name), ``key_wrap`` "AES-256-KW (RFC 3394)", ``key_id`` (the KEK's name) and
``wrapped_key`` (the 256-bit data key wrapped by that KEK, 40 bytes, hex).

Chunk ``i`` (from 0) is sealed with the data key, nonce ``nonce_prefix || uint32(i)`` (12 bytes) and associated
data ``b"sohoa-envelope/1" || sha256 digest (32 raw bytes) || uint32(i) || uint8(last)`` where ``last`` is 1 for
the final chunk only; ``n = max(1, ceil(plaintext_size / chunk_size))`` (an empty object is one empty chunk).
So a chunk moved, dropped, cut short or taken from another object fails authentication, and a byte range
decrypts only the chunks it covers. A later re-wrap of the data key (a KEK rotation) never rewrites this file:
it lives in the object's key record (see :mod:`sohoa.storage.objects`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sohoa.domain.errors import SohoaError

__all__ = ["CHUNK_SIZE", "CIPHER", "KEY_WRAP", "MAGIC", "EnvelopeCorrupt", "EnvelopeHeader", "EnvelopeReader", "Wrap",
           "decrypting_stream", "encrypt_stream", "is_envelope", "read_header"]

MAGIC = b"SOHOA-ENVELOPE/1\n"
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16
KEY_WRAP = "AES-256-KW (RFC 3394)"
CIPHER = "AES-256-GCM"
_AAD = b"sohoa-envelope/1"
_MAX_HEADER = 64 * 1024


class EnvelopeCorrupt(SohoaError):
    """An envelope whose header or chunks do not authenticate: damaged, cut short or tampered with."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Phong bì mã hóa bị hỏng: {what}", f"Encryption envelope is damaged: {what}")


@dataclass(frozen=True)
class Wrap:
    """A data key wrapped by one key-encryption key (KEK)."""

    key_id: str
    wrapped_key: bytes


@dataclass(frozen=True)
class EnvelopeHeader:
    """What an envelope's header says, and where its chunks start in the file."""

    plaintext_sha256: str
    plaintext_size: int
    chunk_size: int
    nonce_prefix: bytes
    wrap: Wrap
    data_offset: int = 0

    @property
    def chunk_count(self) -> int:
        return max(1, -(-self.plaintext_size // self.chunk_size))

    @property
    def stored_size(self) -> int:
        """The whole envelope's length in bytes."""
        return self.data_offset + self.plaintext_size + self.chunk_count * TAG_SIZE

    def chunk_span(self, index: int) -> tuple[int, int]:
        """Where chunk ``index`` starts in the file and its plaintext length."""
        start = index * self.chunk_size
        return (self.data_offset + index * (self.chunk_size + TAG_SIZE),
                min(self.chunk_size, self.plaintext_size - start))

    def aad(self, index: int) -> bytes:
        last = index == self.chunk_count - 1
        return _AAD + bytes.fromhex(self.plaintext_sha256) + struct.pack(">IB", index, 1 if last else 0)

    def nonce(self, index: int) -> bytes:
        return self.nonce_prefix + struct.pack(">I", index)

    def encode(self) -> bytes:
        fields = {"format": "sohoa-envelope", "version": 1, "cipher": CIPHER, "chunk_size": self.chunk_size,
                  "tag_size": TAG_SIZE, "nonce_prefix": self.nonce_prefix.hex(),
                  "plaintext_size": self.plaintext_size, "plaintext_sha256": self.plaintext_sha256,
                  "key_wrap": KEY_WRAP, "key_id": self.wrap.key_id, "wrapped_key": self.wrap.wrapped_key.hex()}
        body = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")
        return MAGIC + struct.pack(">I", len(body)) + body


def is_envelope(prefix: bytes) -> bool:
    """Whether bytes read from an object's start open an envelope."""
    return prefix[:len(MAGIC)] == MAGIC


def read_header(handle: BinaryIO) -> EnvelopeHeader:
    """The header of the envelope open in ``handle`` (read from its start)."""
    handle.seek(0)
    if not is_envelope(handle.read(len(MAGIC))):
        raise EnvelopeCorrupt("no magic line / thiếu dòng nhận dạng")
    raw_length = handle.read(4)
    if len(raw_length) != 4:
        raise EnvelopeCorrupt("header cut short")
    (length,) = struct.unpack(">I", raw_length)
    if length > _MAX_HEADER:
        raise EnvelopeCorrupt("header too long")
    body = handle.read(length)
    try:
        fields = json.loads(body.decode("utf-8"))
        if fields["format"] != "sohoa-envelope" or fields["version"] != 1 or fields["cipher"] != CIPHER:
            raise EnvelopeCorrupt(f"unknown format {fields.get('format')} {fields.get('version')}")
        header = EnvelopeHeader(
            plaintext_sha256=str(fields["plaintext_sha256"]), plaintext_size=int(fields["plaintext_size"]),
            chunk_size=int(fields["chunk_size"]), nonce_prefix=bytes.fromhex(fields["nonce_prefix"]),
            wrap=Wrap(str(fields["key_id"]), bytes.fromhex(fields["wrapped_key"])),
            data_offset=len(MAGIC) + 4 + length)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise EnvelopeCorrupt(f"unreadable header: {exc}") from exc
    if header.chunk_size <= 0 or header.plaintext_size < 0 or len(header.nonce_prefix) != 8:
        raise EnvelopeCorrupt("header out of range")
    return header


def encrypt_stream(src: BinaryIO, dst: BinaryIO, *, plaintext_sha256: str, plaintext_size: int,
                   wrap: Callable[[bytes], Wrap], chunk_size: int = CHUNK_SIZE) -> EnvelopeHeader:
    """Write the envelope of ``src`` (exactly ``plaintext_size`` bytes hashing to ``plaintext_sha256``) to
    ``dst`` under a fresh data key wrapped by ``wrap``; the plaintext is checked while it is read."""
    data_key = AESGCM.generate_key(bit_length=256)
    header = EnvelopeHeader(plaintext_sha256, plaintext_size, chunk_size, os.urandom(8), wrap(data_key))
    encoded = header.encode()
    header = EnvelopeHeader(header.plaintext_sha256, header.plaintext_size, header.chunk_size,
                            header.nonce_prefix, header.wrap, data_offset=len(encoded))
    dst.write(encoded)
    aead = AESGCM(data_key)
    digest = hashlib.sha256()
    for index in range(header.chunk_count):
        _offset, length = header.chunk_span(index)
        chunk = src.read(length) if length else b""
        if len(chunk) != length:
            raise SohoaError("Đối tượng ngắn hơn kích thước đã ghi", "The object is shorter than its recorded size")
        digest.update(chunk)
        dst.write(aead.encrypt(header.nonce(index), chunk, header.aad(index)))
    if src.read(1) or digest.hexdigest() != plaintext_sha256:
        raise SohoaError("Nội dung không khớp mã băm của đối tượng", "The bytes do not match the object's digest")
    return header


class EnvelopeReader(io.RawIOBase):
    """A seekable plaintext view of an envelope: each read decrypts (and authenticates) only its chunks."""

    def __init__(self, handle: BinaryIO, header: EnvelopeHeader, data_key: bytes) -> None:
        super().__init__()
        self._handle = handle
        self._header = header
        self._aead = AESGCM(data_key)
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._header.plaintext_size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def _chunk(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        offset, length = self._header.chunk_span(index)
        self._handle.seek(offset)
        sealed = self._handle.read(length + TAG_SIZE)
        try:
            plain = self._aead.decrypt(self._header.nonce(index), sealed, self._header.aad(index))
        except InvalidTag as exc:
            raise EnvelopeCorrupt(f"chunk {index} of {self._header.plaintext_sha256}") from exc
        self._cached = (index, plain)
        return plain

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._pos >= self._header.plaintext_size or len(buffer) == 0:
            return 0
        index, within = divmod(self._pos, self._header.chunk_size)
        piece = self._chunk(index)[within:within + len(buffer)]
        buffer[:len(piece)] = piece
        self._pos += len(piece)
        return len(piece)

    def close(self) -> None:
        if not self.closed:
            self._handle.close()
        super().close()


def decrypting_stream(handle: BinaryIO, header: EnvelopeHeader, data_key: bytes) -> BinaryIO:
    """A buffered, seekable stream of the plaintext of the envelope open in ``handle`` (closes it on close)."""
    return io.BufferedReader(EnvelopeReader(handle, header, data_key), buffer_size=header.chunk_size)
