"""A webhook subscriber on 127.0.0.1 for tests: records what it receives, can fail a number of times first."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """What the local server saw; ``fail`` answers 503 that many times first."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.attempts = 0
        self.fail = 0
        self.lock = threading.Lock()


@contextmanager
def serve_receiver() -> Iterator[tuple[str, Receiver]]:
    """The URL of a running receiver and its state; stopped on exit."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with state.lock:
                state.attempts += 1
                failing = state.fail > 0
                if failing:
                    state.fail -= 1
                else:
                    state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(503 if failing else 204)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", state
    finally:
        server.shutdown()
        server.server_close()


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, step: float = 0.02) -> bool:
    """Poll ``condition`` until true or ``timeout`` seconds pass (tests stay bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
