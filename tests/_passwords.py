"""Argon2id at its cheapest parameters for the test session (the ``_cheap_password_hashing`` fixture).

Sohoa hashes passwords with argon2-cffi's default profile (RFC 9106 low-memory: 64 MiB, 3 passes, 4 lanes):
0.2–0.6 s a hash and as much a verify on the 2-core machine, and the web tests create seven accounts and sign in
for each test (some 1,000 hashes a suite, ≈ 5 min). In the test process the module's hasher is swapped for
argon2-cffi's ``CHEAPEST`` profile (argon2id, 8 KiB, 1 pass, 1 lane): the same library, algorithm, hash format,
verify and rehash paths, at a test's cost. ``sohoa`` subprocesses a test starts hash as in production, and a
hash they write still verifies in-process (argon2 reads the parameters from the hash).
:data:`PRODUCTION_HASHER` keeps the module's own hasher, whose parameters tests/security/test_auth.py checks.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher, profiles

import sohoa.services.identity.passwords as passwords

PRODUCTION_HASHER: PasswordHasher = passwords._HASHER
PRODUCTION_DUMMY: str = passwords._DUMMY
CHEAP_HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2id at ``CHEAPEST`` for the in-process hashes and verifies of the whole session (the dummy hash
    that equalises unknown usernames' time too)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(passwords, "_HASHER", CHEAP_HASHER)
        monkeypatch.setattr(passwords, "_DUMMY", CHEAP_HASHER.hash("sohoa-timing-equaliser"))
        yield


@pytest.fixture
def production_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The module's own hasher for one test whose point needs a verify's real duration (a race between
    concurrent logins); request it before the fixtures that create the accounts."""
    monkeypatch.setattr(passwords, "_HASHER", PRODUCTION_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY", PRODUCTION_DUMMY)
