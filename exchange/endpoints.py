"""Where a webhook may be sent: an HTTPS URL whose host is public.

A subscriber chooses the URL, so the server must not become a way into the private network
(SSRF): the host, and every address it resolves to, must be a public unicast address (not
loopback, private, link-local, shared, reserved or multicast). This is checked when the
subscription is written and again before each send (the name may resolve elsewhere later);
redirects are not followed. `WEBHOOKS_ALLOW_PRIVATE_URLS` lifts both rules (plain HTTP and
private hosts) for development and the test suite, which runs its receiver on 127.0.0.1.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from core.enums import ErrorCode
from core.errors import ApplicationError


class UnsafeEndpoint(ApplicationError):
    default_code = ErrorCode.INVALID


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [ipaddress.ip_address(host).compressed]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeEndpoint(
            _("L'adresse « %(host)s » est introuvable.") % {"host": host}
        ) from None
    return sorted({info[4][0] for info in infos})


def check_endpoint(url: str) -> str:
    """The URL, if a webhook may be sent there; otherwise UnsafeEndpoint (400 `invalid`)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeEndpoint(_("Adresse invalide.")) from None
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_URLS
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise UnsafeEndpoint(_("L'adresse doit commencer par https://."))
    if not parts.hostname or parts.username or parts.password:
        raise UnsafeEndpoint(_("Adresse invalide."))
    if allow_private:
        return url
    port = port or 443
    if not all(_public(address) for address in _addresses(parts.hostname, port)):
        raise UnsafeEndpoint(
            _("L'adresse doit être joignable sur Internet (pas un réseau privé ni local).")
        )
    return url
