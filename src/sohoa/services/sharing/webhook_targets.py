"""Webhook targets: public addresses only (unless the operator allows others), checked when a webhook is
created and again at every delivery, and the connection goes to the very address that was checked.

A webhook makes the server send requests wherever its creator says: to the database port on 127.0.0.1,
to the cloud metadata service on 169.254.169.254, to machines of the city network behind the firewall
(server-side request forgery). So the host name is resolved and EVERY address it resolves to must be
public (a name with one public and one private address is refused). A name may resolve to a public
address at creation and to 127.0.0.1 later (DNS rebinding): delivery resolves and checks again, then
connects to the checked address itself, sending the original name as Host header and TLS server name
(certificates are still verified against the name). Redirects are not followed, proxies from the
environment are not used.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

import httpx

from sohoa.domain.errors import ValidationFailed
from sohoa.settings import Settings

__all__ = ["Address", "Resolver", "TargetPolicy", "TargetRefused", "check_target", "pinned_post", "system_resolver"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]  # (host, port) → addresses as text

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not routable on the Internet


class TargetRefused(ValidationFailed):
    """A webhook URL whose scheme, host or addresses are not allowed (at creation or at delivery)."""

    code = "webhook_target"


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), as the operating system resolves it."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _embedded_v4(ip: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), if any."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: Address) -> bool:
    """A global unicast address: not loopback, private, link-local, shared, multicast, reserved or unspecified."""
    inner = _embedded_v4(ip)
    if inner is not None and not is_public(inner):
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return True  # ::ffff:a.b.c.d is a.b.c.d, judged above
    special = (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
               or ip.is_unspecified or (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED)
               or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local))
    return ip.is_global and not special


@dataclass(frozen=True)
class TargetPolicy:
    """What an operator allows beyond public addresses: everything (``allow_private``) or some networks."""

    allow_private: bool = False
    networks: tuple[Network, ...] = ()
    resolver: Resolver = system_resolver

    @classmethod
    def of(cls, settings: Settings, resolver: Resolver | None = None) -> TargetPolicy:
        networks = tuple(ipaddress.ip_network(part.strip(), strict=False)
                         for part in settings.webhook_allowed_networks.split(",") if part.strip())
        return cls(settings.webhook_allow_private, networks, resolver or system_resolver)

    def allows(self, ip: Address) -> bool:
        if ip.is_multicast or ip.is_unspecified:
            return False  # never a subscriber, whatever the operator allows
        if self.allow_private or any(ip in net for net in self.networks if net.version == ip.version):
            return True
        return is_public(ip)


def _refused(vi: str, en: str) -> TargetRefused:
    return TargetRefused(f"Địa chỉ webhook bị từ chối: {vi}", f"Webhook target refused: {en}")


def _split(url: str) -> tuple[SplitResult, str, int]:
    """The URL's parts, host (lower case, no brackets) and port; only http(s), no user info."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise _refused("URL không hợp lệ", "invalid URL") from exc
    if parts.scheme not in ("http", "https"):
        raise _refused("chỉ nhận http hoặc https", "only http and https are allowed")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise _refused("cần tên máy, không kèm tài khoản", "a host name is required, without user info")
    return parts, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_target(url: str, policy: TargetPolicy) -> list[Address]:
    """The addresses ``url`` resolves to, all allowed by ``policy``; raises :class:`TargetRefused`."""
    _, host, port = _split(url)
    try:
        found = [ipaddress.ip_address(a.split("%")[0]) for a in policy.resolver(host, port)]
    except (OSError, UnicodeError, ValueError) as exc:
        raise _refused(f"không phân giải được tên {host}", f"cannot resolve {host}") from exc
    if not found:
        raise _refused(f"không phân giải được tên {host}", f"cannot resolve {host}")
    bad = sorted({str(ip) for ip in found if not policy.allows(ip)})
    if bad:
        raise _refused(f"{host} trỏ tới địa chỉ nội bộ hoặc đặc biệt ({', '.join(bad)})",
                       f"{host} resolves to a loopback, private, link-local or reserved address ({', '.join(bad)})")
    return found


def pinned_post(url: str, policy: TargetPolicy, *, content: bytes, headers: dict[str, str],
                timeout: float) -> httpx.Response:
    """POST to ``url`` through the address checked now (no second lookup): Host and TLS name stay the URL's."""
    parts, host, port = _split(url)
    ip = check_target(url, policy)[0]
    literal = f"[{ip}]" if ip.version == 6 else str(ip)
    netloc = literal if parts.port is None else f"{literal}:{port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = host if parts.port is None else f"{host}:{port}"
    if ":" in host:  # an IPv6 literal in the URL
        host_header = f"[{host}]" if parts.port is None else f"[{host}]:{port}"
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        return client.post(pinned, content=content, headers={**headers, "Host": host_header},
                           extensions={"sni_hostname": host})
