"""The checker's HTTP session: one shared connection pool, no proxies from the environment,
no cookies kept between checks, the address guard and the declared retries mounted."""

from __future__ import annotations

import ssl
import threading
import time
import warnings
from http.cookiejar import DefaultCookiePolicy
from typing import Callable

import requests
import urllib3.exceptions as u3
from requests.cookies import RequestsCookieJar, merge_cookies
from requests.hooks import default_hooks
from requests.sessions import merge_setting
from requests.structures import CaseInsensitiveDict
from requests.utils import DEFAULT_CA_BUNDLE_PATH
from urllib3.util.ssl_ import create_urllib3_context

from sheets_sync.check import budget, retry
from sheets_sync.check.guard import AddressPolicy, GuardedAdapter
from sheets_sync.config.settings import CheckerSettings

# The only unverified requests are the deliberate second look at a site whose certificate
# failed (tls_invalid); urllib3 would warn about each.
warnings.filterwarnings("ignore", category=u3.InsecureRequestWarning)


class _NoSessionCookies(DefaultCookiePolicy):
    # The shared session must not carry one site's cookies into another check; each check
    # keeps its own jar (see Checker._follow) so cookie-setting redirects still work.
    def set_ok(self, cookie, request) -> bool:
        return False


class CheckerSession(requests.Session):
    """The checker's session. `request` takes a shorter path for the checker's own calls
    (one GET, redirects not followed, no auth/params/proxies/hooks, trust_env off): the same
    prepared request through the same adapter, without what `requests.Session` does per call
    for general use and the checker never needs: merging seven settings (slow `Mapping`
    checks), a no-op cookie extraction into the session jar (its policy refuses them all),
    the look-ahead `Response.next` request prepared for every redirect, and the hooks.
    Measured: ~0.38 instead of ~0.45 ms of CPU per loopback GET. Any other call goes through
    `requests.Session.request` unchanged."""

    def request(self, method, url, *, headers=None, cookies=None, timeout=None, allow_redirects=True,
                stream=None, verify=None, **other):
        if (allow_redirects or any(v is not None for v in other.values()) or self.trust_env or self.auth
                or self.params or self.proxies or any(self.hooks.values())):
            return super().request(method, url, headers=headers, cookies=cookies, timeout=timeout,
                                   allow_redirects=allow_redirects, stream=stream, verify=verify, **other)
        prepared = requests.PreparedRequest()
        prepared.prepare(method=method.upper(), url=url,
                         headers=merge_setting(headers, self.headers, dict_class=CaseInsensitiveDict),
                         cookies=merge_cookies(merge_cookies(RequestsCookieJar(), self.cookies), cookies or {}),
                         hooks=default_hooks())
        stream = self.stream if stream is None else stream
        response = self.get_adapter(prepared.url).send(
            prepared, stream=stream, timeout=timeout, verify=self.verify if verify is None else verify,
            cert=self.cert, proxies={})
        if not stream:
            response.content  # noqa: B018 - read the body now, as requests does
        return response


class CheckerAdapter(GuardedAdapter):
    """The guarded adapter with one TLS context per verification mode, made once.

    Left to themselves, requests and urllib3 build a new SSLContext for every new HTTPS
    connection and load the whole CA bundle into it: ~30-50 ms of CPU each (measured), more
    than a hundred plain checks, and a province run opens hundreds of HTTPS connections.
    The shared contexts trust the same bundle (requests' default); a session whose `verify`
    names its own bundle (tests) keeps the per-connection path."""

    def __init__(self, *args, **kwargs) -> None:
        self._contexts: dict[int, ssl.SSLContext] = {}
        self._contexts_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def _context(self, verified: bool) -> ssl.SSLContext:
        mode = ssl.CERT_REQUIRED if verified else ssl.CERT_NONE
        with self._contexts_lock:
            if mode not in self._contexts:
                context = create_urllib3_context(cert_reqs=mode)
                if verified:
                    context.load_verify_locations(DEFAULT_CA_BUNDLE_PATH)
                self._contexts[mode] = context
            return self._contexts[mode]

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params.get("scheme") == "https" and verify in (True, False) and not cert:
            pool_kwargs["ssl_context"] = self._context(verify is True)
        return host_params, pool_kwargs

    def cert_verify(self, conn, url, verify, cert) -> None:
        super().cert_verify(conn, url, verify, cert)
        if verify is True and not cert and getattr(conn, "conn_kw", {}).get("ssl_context") is not None:
            conn.ca_certs = conn.ca_cert_dir = None  # already in the shared context


def build_session(settings: CheckerSettings, sleep: Callable[[float], None] = time.sleep,
                  policy: AddressPolicy | None = None) -> requests.Session:
    """The checker's shared session: no proxies from the environment, retry policy mounted."""
    session = CheckerSession()
    # Never route through HTTP(S)_PROXY/ALL_PROXY (nor read .netrc): the address guard must
    # see, and the checker must connect to, the real target.
    session.trust_env = False
    session.verify = settings.verify_tls
    session.cookies.set_policy(_NoSessionCookies())
    adapter = CheckerAdapter(
        policy or AddressPolicy(settings.allow_private, settings.resolve),
        # At most `concurrency` hosts are in flight at once, so this many pools keeps every
        # active host's pool alive; more would only hold idle sockets to finished hosts.
        pool_connections=max(10, settings.concurrency),
        # >= per_host; cross-host redirects (many URLs -> one portal) can exceed per_host on
        # one target, and a pool smaller than that would discard connections.
        pool_maxsize=max(settings.per_host, settings.concurrency),
        max_retries=retry.build_retry(settings, sleep),
    )
    # Every response is read under the check's deadline, byte by byte (sheets_sync.check.budget).
    adapter.poolmanager.pool_classes_by_scheme = budget.POOL_CLASSES
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def identify(user_agent: str, contact_url: str) -> str:
    """The User-Agent with the contact URL in it, the way crawlers write it: '(...; +URL)'."""
    if not contact_url or contact_url in user_agent:
        return user_agent
    if user_agent.endswith(")"):
        return f"{user_agent[:-1]}; +{contact_url})"
    return f"{user_agent} (+{contact_url})"
