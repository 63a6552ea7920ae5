"""Fixtures shared by the preservation tests (several helpers add theirs here: small additive edits)."""

from __future__ import annotations

from tests._s3 import s3_env, s3_server  # noqa: F401 - the S3 test server (SeaweedFS) as fixtures

