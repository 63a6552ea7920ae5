"""Argon2id password hashing (argon2-cffi) with a minimum-strength rule."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from sohoa.domain.errors import ValidationFailed

__all__ = ["MIN_LENGTH", "check_strength", "hash_password", "needs_rehash", "verify_password"]

MIN_LENGTH = 8
_HASHER = PasswordHasher()
# A verify against this hash costs the same as a real one, so unknown usernames do not answer faster.
_DUMMY = _HASHER.hash("sohoa-timing-equaliser")


def check_strength(password: str) -> None:
    """Refuse short passwords."""
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(
            f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự",
            f"The password must have at least {MIN_LENGTH} characters",
        )


def hash_password(password: str) -> str:
    check_strength(password)
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash still spends the time of one verify."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)
