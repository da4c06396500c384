"""An http:// link that fails where its https:// twin opens: what browsers show, not "broken".

Chrome (since 115) and Edge load an http:// link over https:// first and fall back to http://
only when that fails; other browsers are moving the same way. Sites that closed or filtered port
80, whose port-80 server answers 404 for every page, or whose port 80 redirects to a page that
is missing, therefore open for the assessor, and the checker called them `broken`. When an
http:// link (or a cell without a scheme, checked as http://) fails with a connection error, a
timeout, a 4xx/5xx or a not-found page, before or after redirects, the checker asks its
https:// twin once, within the same deadline (not when a redirect already went there). If that opens, the row is judged by it with `https_only` (a
warning: the agency should paste the https:// address, which every assessor's browser opens);
otherwise the first verdict stands.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from sheets_sync.core.models import CheckResult, Status

# The ports a browser leaves out; tests point them at their loopback servers.
HTTP_PORT, HTTPS_PORT = 80, 443
# (a server's default page: its http:// host never set up, the site served on https:// only)
_UPGRADABLE = frozenset({"connect_error", "timeout", "http_4xx", "http_5xx", "soft_404", "hosting_page",
                         "server_error_page", "redirect_private"})


def twin_to_try(url: str, result: CheckResult, redirects: tuple[str, ...]) -> str | None:
    """The https:// twin to ask when `result` is a failure of the http:// address that the twin
    may not share (not one a redirect already reached); else None."""
    if result.status is not Status.BROKEN or not _UPGRADABLE & set(result.reasons):
        return None
    twin = https_twin(url)
    return None if twin is None or twin in redirects else twin


def https_twin(url: str) -> str | None:
    """The https:// address a browser tries for an http:// one on the default port, else None.

    >>> https_twin("http://lee.go.th/ita/o1.pdf?x=1"), https_twin("http://lee.go.th:8080/o1")
    ('https://lee.go.th/ita/o1.pdf?x=1', None)
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "http" or not parts.hostname or "@" in parts.netloc or port not in (None, HTTP_PORT):
        return None
    host = parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc
    netloc = host if HTTPS_PORT == 443 else f"{host}:{HTTPS_PORT}"
    return urlunsplit(("https", netloc, parts.path, parts.query, parts.fragment))
