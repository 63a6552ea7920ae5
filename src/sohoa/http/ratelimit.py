"""In-process token buckets per API token or client address (one process; Redis for scale-out is later)."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimiter", "address_key"]


@dataclass
class _Bucket:
    tokens: float
    stamp: float


def address_key(host: str | None) -> str:
    """The bucket of a client address: the address itself, or its /64 for IPv6 (one subscriber's network,
    which hands its machines any number of addresses)."""
    if not host:
        return "ip:-"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return f"ip:{host[:64]}"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"ip:{ip.ipv4_mapped}"
        return f"ip:{ipaddress.IPv6Network((ip, 64), strict=False)}"
    return f"ip:{ip}"


class RateLimiter:
    """``per_minute`` requests per key on average, bursts up to ``burst``; thread-safe.

    Memory is bounded: past ``max_keys`` the least recently seen key is forgotten (it had refilled, or
    nearly: a forgotten key starts again with a full bucket, which is what it would have anyway).
    """

    def __init__(self, per_minute: int, burst: int | None = None, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else max(1, per_minute // 6))
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()
        self._max_keys = max_keys

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        """0 when the request may go on, else the seconds to wait before the next one is allowed."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                while len(self._buckets) >= self._max_keys:
                    self._buckets.popitem(last=False)
                bucket = self._buckets[key] = _Bucket(self.capacity, now)
            else:
                self._buckets.move_to_end(key)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate
