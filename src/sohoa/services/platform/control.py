"""The control socket of a running `sohoa serve`: CLI commands of the same account hand work to it.

A Unix socket in the data directory (``run/control.sock``: folder 0700, socket 0600). Each connection
carries one operation: the client sends ``{"op": name, "payload": ...}``, the server answers with any
number of ``("item", value)`` frames and then ``("end", None)`` or ``("error", message)``; an operation
may also read further frames from the client (a conversation, e.g. the page jobs of one ingest).
Frames are a 4-byte big-endian length and a pickle.

One process listens per data directory: a `sohoa serve`, or the resident CLI helper (:mod:`sohoa.cli.resident`)
when no server runs. The locks of :mod:`sohoa.services.platform.control_owner` decide which; a server that finds
a resident on the socket asks it to stop (``resident.stop``) and takes the socket over.

Pickle runs code of the sender's choosing when it is read: it is acceptable here only because both
ends check that the peer is the same account (``SO_PEERCRED``) before reading anything, and that
account can already run any code as itself. Never open this socket to another account.
"""

from __future__ import annotations

import logging
import os
import pickle
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sohoa.services.platform.control_owner import (
    CONTROL_LOCK,
    SERVE_LOCK,
    ListenerLock,
    held_elsewhere,
    run_folder,
    try_lock,
)

if TYPE_CHECKING:  # the `sohoa` launcher imports this module without pydantic
    from sohoa.settings import Settings

__all__ = ["STOP_RESIDENT", "Channel", "ControlClient", "ControlClosed", "ControlServer", "Handler",
           "claim_resident", "connect", "peer_uid", "same_user", "socket_path"]

log = logging.getLogger(__name__)
_HEADER = struct.Struct(">I")
_MAX_FRAME = 1 << 30
_CONNECT_SECONDS = 1.0  # a server that does not answer `ping` in this time is not used
_PATH_MAX = 100  # sockaddr_un holds 108 bytes; longer paths are reached through /proc/self/fd
_TAKE_OVER_SECONDS = 20.0  # how long a starting server waits for a resident to let go of the socket
STOP_RESIDENT = "resident.stop"  # the operation a resident offers: stop listening and exit


class ControlClosed(ConnectionError):
    """The other end closed the connection (or sent something that is not a frame)."""


def socket_path(settings: Settings) -> Path:
    return _socket_of(settings.data)


def _socket_of(data: Path) -> Path:
    return data / "run" / "control.sock"


def peer_uid(sock: socket.socket) -> int:
    """The account of the process at the other end of a connected Unix socket."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


def same_user(uid: int) -> bool:
    """Only this process's own account may talk to it (the frames are pickles)."""
    return uid == os.getuid()


def send_frame(sock: socket.socket, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    parts, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise ControlClosed("connection closed")
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def recv_frame(sock: socket.socket) -> Any:
    (size,) = _HEADER.unpack(_read_exactly(sock, _HEADER.size))
    if size > _MAX_FRAME:
        raise ControlClosed("frame too large")
    return pickle.loads(_read_exactly(sock, size))  # the peer is this account (see above)


@contextmanager
def _address(path: Path) -> Iterator[str]:
    """A name for ``path`` short enough for a Unix socket address."""
    if len(os.fsencode(path)) <= _PATH_MAX:
        yield str(path)
        return
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{folder}/{path.name}"
    finally:
        os.close(folder)


class Channel:
    """The server's side of one connection: ``send`` answer items, ``recv`` further client frames."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def send(self, value: object) -> None:
        send_frame(self._sock, ("item", value))

    def recv(self) -> Any:
        return recv_frame(self._sock)


Handler = Callable[[Any, Channel], None]


class ControlServer:
    """Accepts same-account connections on the control socket; ``register`` an operation per name."""

    def __init__(self, settings: Settings, owner: ListenerLock | None = None) -> None:
        """``owner``: the lock a resident took before it started; None for a server (``start`` takes its locks)."""
        self.path, self._data, self._owner = socket_path(settings), settings.data, owner
        self._ops: dict[str, Handler] = {"ping": lambda _payload, channel: channel.send({"pid": os.getpid()})}
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Lock()

    def register(self, op: str, handler: Handler) -> None:
        self._ops[op] = handler

    def start(self) -> bool:
        """Listen (False when another server already answers on this data directory's socket, or, for a resident,
        when a server runs or starts)."""
        run_folder(self._data)
        owner = self._owner if self._owner is not None else self._claim()
        self._owner = None
        if owner is None or owner.server_running():
            log.warning("another Sohoa server answers on %s; this one takes no hand-offs", self.path)
            if owner is not None:
                owner.release()
            return False
        if self.path.exists() or self.path.is_symlink():
            if _answers(self.path):  # a server that takes no locks (an older Sohoa)
                log.warning("another Sohoa server answers on %s; this one takes no hand-offs", self.path)
                owner.release()
                return False
            self.path.unlink()  # left by a server that stopped without removing it
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with _address(self.path) as address:
            sock.bind(address)
        os.chmod(self.path, 0o600)  # the 0700 folder already keeps others out
        sock.listen(16)
        self._sock, self._owner = sock, owner
        self._thread = threading.Thread(target=self._accept, name="sohoa-control", daemon=True)
        self._thread.start()
        return True

    def _claim(self) -> ListenerLock | None:
        """A server's locks: ``serve.lock``, then ``control.lock`` once a resident holding it has stopped."""
        serve_fd = ListenerLock.server_lock(self._data)
        if serve_fd is None:
            return None
        deadline = time.monotonic() + _TAKE_OVER_SECONDS
        while True:
            fd = try_lock(self.path.parent / CONTROL_LOCK)
            if fd is not None:
                return ListenerLock(self.path.parent, fd, serve_fd)
            if not _stop_resident(self.path) or time.monotonic() > deadline:
                os.close(serve_fd)
                return None
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop listening: the socket file is removed, then the locks let go (in-flight operations go on)."""
        with self._stopping:
            sock, self._sock = self._sock, None
            if sock is None:
                return
            with suppress(FileNotFoundError):
                self.path.unlink()
            sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            if self._thread is not None and self._thread is not threading.current_thread():
                self._thread.join(5)
            if self._owner is not None:
                self._owner.release()

    def _accept(self) -> None:
        while self._sock is not None:
            try:
                conn, _ = self._sock.accept()
            except OSError:  # closed by stop()
                return
            threading.Thread(target=self._handle, args=(conn,), name="sohoa-control-conn", daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            uid = peer_uid(conn)
            if not same_user(uid):  # checked before any frame is read
                log.warning("control socket: refused a connection of account %s", uid)
                return
            try:
                request = recv_frame(conn)
                op, payload = request["op"], request.get("payload")
                handler = self._ops.get(op)
                if handler is None:
                    send_frame(conn, ("error", f"unknown operation {op!r}"))
                    return
                handler(payload, Channel(conn))
                send_frame(conn, ("end", None))
            except (ControlClosed, OSError):
                return  # the client went away
            except Exception as exc:  # the client sees the error; the server goes on
                log.exception("control operation failed")
                try:
                    send_frame(conn, ("error", f"{type(exc).__name__}: {exc}"))
                except OSError:
                    return


class ControlClient:
    """The client of a server that answered; each operation opens a connection of its own."""

    def __init__(self, path: Path, server_pid: int) -> None:
        self.path, self.server_pid = path, server_pid

    def open(self, op: str, payload: object = None, timeout: float | None = None) -> ClientChannel:
        """Start an operation and keep its connection (a conversation); ``ControlClosed`` when none answers."""
        sock = _connected(self.path, timeout)
        if sock is None:
            raise ControlClosed("the server does not answer")
        send_frame(sock, {"op": op, "payload": payload})
        return ClientChannel(sock)

    def call(self, op: str, payload: object = None, timeout: float | None = None) -> Iterator[Any]:
        """One request and its stream of answers."""
        with self.open(op, payload, timeout) as channel:
            yield from channel.items()


class ClientChannel:
    """The client's side of one operation's connection."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def __enter__(self) -> ClientChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, value: object) -> None:
        send_frame(self._sock, value)

    def next(self) -> tuple[bool, Any]:
        """(True, item) for the next answer, (False, None) at the end; RuntimeError for the server's error."""
        kind, value = recv_frame(self._sock)
        if kind == "item":
            return True, value
        if kind == "error":
            raise RuntimeError(f"control server: {value}")
        return False, None

    def items(self) -> Iterator[Any]:
        while True:
            more, value = self.next()
            if not more:
                return
            yield value

    def close(self) -> None:
        self._sock.close()


def _connected(path: Path, timeout: float | None) -> socket.socket | None:
    """A connection to the server of the same account at ``path``, or None."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(_CONNECT_SECONDS)
    try:
        with _address(path) as address:
            sock.connect(address)
        if not same_user(peer_uid(sock)):  # never send or read a pickle to or from another account
            sock.close()
            return None
    except OSError:
        sock.close()
        return None
    sock.settimeout(timeout)
    return sock


def _answers(path: Path) -> bool:
    sock = _connected(path, _CONNECT_SECONDS)
    if sock is None:
        return False
    sock.close()
    return True


def _stop_resident(path: Path) -> bool:
    """Ask the listener at ``path`` to stop: False when it is not a resident (it does not know the operation)."""
    try:
        list(ControlClient(path, 0).call(STOP_RESIDENT, {"by": os.getpid()}, timeout=30))
    except RuntimeError:
        return False
    except (OSError, EOFError, pickle.UnpicklingError):
        pass  # nobody listens yet (a resident starting) or it left while answering: wait for its lock
    return True


def claim_resident(data: Path, wait: float = 5.0) -> ListenerLock | None:
    """The socket's lock for a resident CLI helper of ``data``, or None: a server runs or starts, or another process
    answers on the socket (or still holds the lock after ``wait`` seconds). A holder that does not answer may be
    leaving (a resident that declined other code) or starting (a resident spawned at the same time): wait."""
    deadline = time.monotonic() + wait
    while True:
        if not data.is_dir() or held_elsewhere(run_folder(data) / SERVE_LOCK):  # never creates the data directory
            return None
        owner = ListenerLock.for_resident(data)
        if owner is not None:
            return owner
        if time.monotonic() > deadline or _answers(_socket_of(data)):
            return None
        time.sleep(0.1)


def connect(settings: Settings) -> ControlClient | None:
    """The running server of this data directory, or None (no socket, a stale one, no answer in time)."""
    path = socket_path(settings)
    if not path.exists():
        return None
    client = ControlClient(path, 0)
    try:
        answers = list(client.call("ping", timeout=_CONNECT_SECONDS))
    except (OSError, RuntimeError, EOFError, pickle.UnpicklingError):
        return None
    client.server_pid = int(answers[0]["pid"]) if answers else 0
    return client
