"""The locustfile of ``bench/load.py``: scanning stations uploading and officials searching a running
``sohoa serve``.

Everything it needs was made before the run and is read from the JSON file named by ``SOHOA_LOAD_PLAN``:
``files`` (the generated scans and PDFs each station uploads once, in turn: no duplicates), ``stations``
(scan operators' usernames), ``officials`` (archivists' usernames), ``password``, ``tokens`` (API tokens, one
per official), ``queries`` (kind → query strings), ``filters`` (years and document types present), ``log``
(a JSONL file where each finished upload is written: its token, file, marker word and when its last chunk
was accepted). Run it with ``locust -f bench/_locust_sohoa.py --headless …`` (``bench/load.py`` does).

A station uses the web app's chunked upload (``POST /scanning/uploads``, then ``PUT`` chunks with
``Content-Range``, as the browser does) and glances at its uploads' status; an official alternates the
staff search page (logged in) and the API search (a bearer token) over queries with tones, without tones,
số/ký hiệu lookups and filtered ones.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["SOHOA_LOAD_PLAN"]).read_text(encoding="utf-8"))
CHUNK = 256 * 1024  # bytes per PUT: a few chunks per scan, as the browser sends them
_FILES = iter(PLAN["files"])
_STATIONS = itertools.cycle(PLAN["stations"] or ["-"])
_OFFICIALS = itertools.count()
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def _login(user: HttpUser, username: str) -> str:
    """Log in through the form (CSRF token of the login page); the CSRF token of the pages after it."""
    page = user.client.get("/login", name="GET /login")
    found = _CSRF.search(page.text)
    if not found:
        raise RuntimeError("login page without a CSRF token")
    user.client.post("/login", data={"username": username, "password": PLAN["password"],
                                     "csrf_token": found.group(1), "next": "/"}, name="POST /login")
    home = user.client.get("/", name="GET /")
    after = _CSRF.search(home.text)
    if not after:
        raise RuntimeError(f"login of {username} failed")
    return after.group(1)


class ScanningStation(HttpUser):
    """A scanning station: uploads its next scan or PDF, then a few seconds at the scanner."""

    wait_time = between(float(os.environ.get("SOHOA_LOAD_STATION_MIN", "3")),
                        float(os.environ.get("SOHOA_LOAD_STATION_MAX", "8")))
    fixed_count = int(os.environ.get("SOHOA_LOAD_STATIONS", "1"))

    def on_start(self) -> None:
        self.username = next(_STATIONS)
        self.csrf = _login(self, self.username)
        self.mine: list[str] = []

    @task(4)
    def upload(self) -> None:
        item = next(_FILES, None)
        if item is None:  # every prepared file sent: the station only follows its uploads
            self.follow()
            return
        data = Path(item["path"]).read_bytes()
        headers = {"X-CSRF-Token": self.csrf}
        with self.client.post("/scanning/uploads", json={"filename": Path(item["path"]).name, "size": len(data)},
                              headers=headers, name="POST /scanning/uploads", catch_response=True) as started:
            if started.status_code != 201:
                started.failure(f"start: {started.status_code} {started.text[:200]}")
                return
            token = started.json()["token"]
        status: dict[str, Any] = {}
        for start in range(0, len(data), CHUNK):
            chunk = data[start:start + CHUNK]
            with self.client.put(f"/scanning/uploads/{token}", data=chunk, name="PUT /scanning/uploads/{token}",
                                 headers=headers | {"Content-Range": f"bytes {start}-{start + len(chunk) - 1}"
                                                                     f"/{len(data)}"},
                                 catch_response=True) as sent:
                if sent.status_code != 200:
                    sent.failure(f"chunk: {sent.status_code} {sent.text[:200]}")
                    return
                status = sent.json()
        self.mine.append(token)
        with open(PLAN["log"], "a", encoding="utf-8") as log:
            log.write(json.dumps({"token": token, "path": item["path"], "kind": item["kind"],
                                  "marker": item.get("marker"), "pages": item["pages"], "sent": time.time(),
                                  "state": status.get("state")}) + "\n")

    @task(1)
    def follow(self) -> None:
        """The station's page polls its latest upload's status."""
        if self.mine:
            self.client.get(f"/scanning/uploads/{self.mine[-1]}", name="GET /scanning/uploads/{token}")


class Official(HttpUser):
    """An official of a commune or a city system: staff search pages and the API search, about one query
    every one to three seconds."""

    wait_time = between(1, 3)
    fixed_count = int(os.environ.get("SOHOA_LOAD_OFFICIALS", "1"))

    def on_start(self) -> None:
        number = next(_OFFICIALS)
        self.username = PLAN["officials"][number % len(PLAN["officials"])]
        self.token = PLAN["tokens"][number % len(PLAN["tokens"])]
        _login(self, self.username)

    def _query(self, kind: str) -> str:
        return str(random.choice(PLAN["queries"][kind]))

    def _web(self, kind: str, extra: dict[str, Any] | None = None, label: str | None = None) -> None:
        params = {"q": self._query(kind)} | (extra or {})
        with self.client.get("/search", params=params, name=f"web search ({label or kind})",
                             catch_response=True) as r:
            if r.status_code != 200 or "<html" not in r.text[:400].lower():
                r.failure(f"{r.status_code}")

    def _api(self, kind: str, extra: dict[str, Any] | None = None, label: str | None = None) -> None:
        params = {"q": self._query(kind)} | (extra or {})
        with self.client.get("/api/v1/search", params=params, headers={"Authorization": f"Bearer {self.token}"},
                             name=f"api search ({label or kind})", catch_response=True) as r:
            if r.status_code != 200 or "results" not in r.json():
                r.failure(f"{r.status_code} {r.text[:200]}")

    @task(3)
    def web_toned(self) -> None:
        self._web("toned")

    @task(2)
    def web_toneless(self) -> None:
        self._web("toneless")

    @task(2)
    def web_sign(self) -> None:
        self._web("sign")

    @task(1)
    def web_filtered(self) -> None:
        self._web("toneless", {"year": random.choice(PLAN["filters"]["years"])}, "filtered: year")

    @task(3)
    def api_toned(self) -> None:
        self._api("toned")

    @task(2)
    def api_toneless(self) -> None:
        self._api("toneless", {"facets": "true"}, "toneless, facets")

    @task(2)
    def api_sign(self) -> None:
        self._api("sign")

    @task(1)
    def api_filtered(self) -> None:
        self._api("toned", {"year": random.choice(PLAN["filters"]["years"]),
                            "type": random.choice(PLAN["filters"]["types"])}, "filtered: year, type")


@events.quitting.add_listener
def _unused_files(environment: Any, **_kwargs: Any) -> None:
    """Say when the stations ran out of prepared files (the run then under-loads the ingest)."""
    if next(_FILES, None) is None:
        print("load: every prepared file was uploaded before the end of the run")
