"""S3 clients: one boto3 session per process, the environment's credentials read at each client."""

from __future__ import annotations

from pathlib import Path

import pytest

from sohoa.settings import Settings
from sohoa.storage import factory


def _access_key(client: object) -> str:
    return str(client._request_signer._credentials.access_key)  # type: ignore[attr-defined]


def test_clients_share_a_session_and_read_new_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(data=tmp_path / "data", s3_endpoint="http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "first-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "first-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
    first = factory.s3_client(settings)
    sessions = dict(factory._SESSIONS)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "second-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "second-secret")
    second = factory.s3_client(settings)
    assert sessions == factory._SESSIONS and len(sessions) == 1  # the models loaded once
    assert (_access_key(first), _access_key(second)) == ("first-key", "second-key")
    assert second.meta.region_name == "ap-southeast-1"
    assert second.meta.endpoint_url == "http://127.0.0.1:9"
