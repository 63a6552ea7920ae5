"""The Ed25519 key that signs audit checkpoints: kept in a file outside the database, created with mode 0600."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sohoa.domain.errors import ValidationFailed
from sohoa.settings import Settings

__all__ = ["audit_key_path", "key_id", "load_private_key", "load_public_key", "public_key_pem", "signature_valid"]

DEFAULT_KEY = Path("keys") / "audit-checkpoint.pem"


def audit_key_path(settings: Settings) -> Path:
    """The configured key file, else ``keys/audit-checkpoint.pem`` in the data directory."""
    return settings.audit_key_file or settings.data / DEFAULT_KEY


def _write_new_key(path: Path) -> None:
    """Write a fresh key so that no other process ever reads a half-written or group-readable file.

    The bytes go to a temporary file opened with mode 0600 (never chmod'ed afterwards), which is then
    hard-linked to the final name: the link fails if another process won the race, and we use its key.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)


def load_private_key(settings: Settings, *, create: bool = True) -> Ed25519PrivateKey:
    """The signing key; the default one is created on first use, a configured one must exist."""
    path = audit_key_path(settings)
    if not path.exists():
        if settings.audit_key_file is not None or not create:
            raise ValidationFailed(f"Không tìm thấy khóa ký nhật ký: {path}", f"Audit signing key not found: {path}")
        _write_new_key(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValidationFailed(f"Khóa ký nhật ký không phải Ed25519: {path}", f"Audit key is not Ed25519: {path}")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A public key in PEM (as exported) or a private key file, whose public half is taken."""
    data = path.read_bytes()
    try:
        key: object = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as exc:
            raise ValidationFailed(f"Không đọc được khóa công khai: {path}",
                                   f"Cannot read the public key {path}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValidationFailed(f"Khóa công khai không phải Ed25519: {path}", f"Public key is not Ed25519: {path}")
    return key


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, hex (RFC 6962 names a log by the hash of its key likewise)."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def signature_valid(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True
