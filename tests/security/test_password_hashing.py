"""What production hashes passwords with. The test session hashes in-process at argon2-cffi's cheapest profile
(tests/_passwords.py), so the module's own hasher is checked here."""

from __future__ import annotations

from argon2 import Type

from sohoa.services.identity import passwords
from tests._passwords import PRODUCTION_DUMMY, PRODUCTION_HASHER


def test_production_hashes_are_argon2id_at_the_rfc_9106_low_memory_profile() -> None:
    assert PRODUCTION_HASHER.type is Type.ID
    assert (PRODUCTION_HASHER.memory_cost, PRODUCTION_HASHER.time_cost, PRODUCTION_HASHER.parallelism) == (65536, 3, 4)
    assert PRODUCTION_DUMMY.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_production_hash_verifies_in_the_test_session() -> None:
    """A hash a ``sohoa`` subprocess writes (production cost) signs in through the in-process path."""
    assert passwords.verify_password(PRODUCTION_DUMMY, "sohoa-timing-equaliser")
    assert not passwords.verify_password(PRODUCTION_DUMMY, "sai-mat-khau")
