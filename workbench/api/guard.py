"""Who may call the API: the checks every request passes before any handler (Lambda's or a forwarded service's)
sees it.

The API listens on 127.0.0.1 only, but that alone lets two kinds of caller in that must not be: web pages in a
browser on this machine (a cross-origin "simple" request, a form POST, or DNS rebinding, where a page of
another site reaches the API under its own host name), and anything that has not signed its request as AWS
clients do. So, in this order:

1. `Host` must be this server as loopback names it (127.0.0.1:PORT, localhost:PORT, [::1]:PORT): a rebound
   name is refused (AccessDeniedException, 403).
2. A browser's cross-origin request is refused (AccessDeniedException, 403): an `Origin` that is not the
   server's own, or `Sec-Fetch-Site: cross-site|same-site`. No CORS headers are ever sent, so browsers never
   let a page read an answer either.
3. A Lambda operation with a body must not be sent as text or as a form (the content types a page may send
   without a preflight): UnsupportedMediaTypeException (415).
4. An AWS Signature Version 4 `Authorization` header is required (AWS's MissingAuthenticationToken /
   IncompleteSignature errors otherwise). With credentials configured (`workbench serve --credentials`,
   WORKBENCH_API_CREDENTIALS), the signature is verified as AWS does; without, any well-formed one is
   accepted, since there is no secret to check it against. Download locations (GetFunction's Code.Location,
   GetLayerVersion's Content.Location) carry a signature of their own in the URL instead, as S3's presigned
   URLs do.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import hashlib
import hmac
import logging
import os
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from aiohttp import web

from workbench.api import sigv4
from workbench.api.errors import AccessDeniedError, AuthenticationError, UnsupportedMediaTypeError
from workbench.engine import LambdaError

log = logging.getLogger(__name__)

#: `KEY:SECRET[,KEY:SECRET...]`: the credentials whose signatures the API verifies (and commands sign with).
CREDENTIALS_ENV = "WORKBENCH_API_CREDENTIALS"
#: What the workbench's own commands sign with when no credentials are configured.
DEFAULT_CREDENTIALS = ("workbench", "workbench")
#: How far a signature's time may be from the server's clock (AWS: 15 minutes).
MAX_CLOCK_SKEW_S = 15 * 60
#: How long a download location stays valid (as long as AWS's presigned Code.Location).
DOWNLOAD_VALIDITY_S = 10 * 60
#: The query member that carries a download location's signature.
DOWNLOAD_SIGNATURE = "X-Workbench-Signature"
#: Content types a web page may send cross-origin without a CORS preflight: never JSON.
_FORM_TYPES = frozenset({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})
#: Paths of the Lambda API's operations (the forwarded services have their own protocols).
_LAMBDA_PREFIXES = ("/2015-03-31/", "/2014-11-13/", "/2016-08-19/", "/2017-10-31/", "/2018-10-31/",
                    "/2019-09-30/")
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
#: Bodies larger than this are hashed off the event loop.
_HASH_IN_THREAD_BYTES = 256 * 1024

class CredentialsError(ValueError):
    """Credentials text that is not `KEY:SECRET[,KEY:SECRET...]`."""


def parse_credentials(text: str) -> dict[str, str]:
    """`KEY:SECRET[,KEY:SECRET...]` as {access key: secret}."""
    pairs: dict[str, str] = {}
    for item in text.split(","):
        key, colon, secret = item.strip().partition(":")
        if not colon or not re.fullmatch(r"[A-Za-z0-9_.+=-]{1,128}", key) or not secret:
            raise CredentialsError("credentials must be ACCESS_KEY_ID:SECRET_ACCESS_KEY[,...] (access key ids of "
                                   "letters, digits and _.+=-)")
        pairs[key] = secret
    return pairs


def configured_credentials(environ: Mapping[str, str] | None = None) -> dict[str, str] | None:
    """The credentials of WORKBENCH_API_CREDENTIALS, or None when it is unset or empty."""
    text = (os.environ if environ is None else environ).get(CREDENTIALS_ENV, "").strip()
    return parse_credentials(text) if text else None


@dataclass(frozen=True)
class Guard:
    """The settings of the checks: the credentials to verify signatures with (None: any well-formed
    signature), and the key that signs download locations (new for every server)."""

    credentials: Mapping[str, str] | None = None
    download_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))


GUARD = web.AppKey("guard", Guard)


def _local_port(request: web.Request) -> int | None:
    transport = request.transport
    address = transport.get_extra_info("sockname") if transport is not None else None
    return int(address[1]) if address else None


def _own_hosts(request: web.Request) -> frozenset[str]:
    port = _local_port(request)
    return frozenset() if port is None else _hosts_of_port(port)


@functools.lru_cache(maxsize=16)
def _hosts_of_port(port: int) -> frozenset[str]:
    """The Host values that name this server on ``port`` (the same few ports every request: built once)."""
    hosts = {f"{name}:{port}" for name in _LOOPBACK_NAMES}
    if port == 80:
        hosts.update(_LOOPBACK_NAMES)
    return frozenset(hosts)


def _check_host(request: web.Request, own: frozenset[str]) -> None:
    host = request.headers.get("Host", "")
    if host.lower() not in own:
        raise AccessDeniedError(f"The workbench API answers requests for {' or '.join(sorted(own))} only, not for "
                                f"Host {host[:200]!r} (a name that resolves to this machine is not enough)")


def _check_browser(request: web.Request, own: frozenset[str]) -> None:
    origin = request.headers.get("Origin")
    if origin is not None and origin.lower() not in {f"http://{host}" for host in own}:
        raise AccessDeniedError(f"The workbench API does not answer web pages of other origins (Origin "
                                f"{origin[:200]!r})")
    site = request.headers.get("Sec-Fetch-Site", "").lower()
    if site in ("cross-site", "same-site"):
        raise AccessDeniedError(f"The workbench API does not answer web pages of other origins (Sec-Fetch-Site "
                                f"{site})")


def _check_content_type(request: web.Request) -> None:
    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith(_LAMBDA_PREFIXES):
        return
    media_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if media_type in _FORM_TYPES:
        raise UnsupportedMediaTypeError(f"The content type of the request body must be JSON (application/json), "
                                        f"not {media_type}")


def _download_signature(key: bytes, path: str, query: Mapping[str, str]) -> str:
    members = "&".join(f"{name}={value}" for name, value in sorted(query.items()) if name != DOWNLOAD_SIGNATURE)
    return hmac.new(key, f"{path}?{members}".encode(), hashlib.sha256).hexdigest()


def presigned_url(request: web.Request, path: str, query: Mapping[str, str] | None = None) -> str:
    """A URL of this server for ``path`` that a plain GET may fetch for DOWNLOAD_VALIDITY_S (no Authorization
    header): a download location. ``path`` must be percent-encoded as it will be sent."""
    members = dict(query or {})
    members["Expires"] = str(int(time.time()) + DOWNLOAD_VALIDITY_S)
    members[DOWNLOAD_SIGNATURE] = _download_signature(request.app[GUARD].download_key, path, members)
    return f"{request.scheme}://{request.host}{path}?{urlencode(members)}"


def _presigned(request: web.Request, guard: Guard) -> bool:
    given = request.query.get(DOWNLOAD_SIGNATURE)
    if request.method != "GET" or given is None or not request.path.startswith("/_workbench/"):
        return False
    expected = _download_signature(guard.download_key, request.rel_url.raw_path, request.query)
    expires = request.query.get("Expires", "")
    return (hmac.compare_digest(given, expected) and expires.isascii() and expires.isdigit()
            and int(expires) >= time.time())


def _incomplete(detail: str) -> AuthenticationError:
    return AuthenticationError("IncompleteSignatureException", f"{detail} The workbench API takes requests signed "
                               "with AWS Signature Version 4, as AWS SDKs and the AWS CLI sign them.")


async def _body_hash(request: web.Request) -> str:
    body = await request.read()
    if len(body) > _HASH_IN_THREAD_BYTES:
        return await asyncio.to_thread(sigv4.payload_hash, body)
    return sigv4.payload_hash(body)


async def _check_signature(request: web.Request, guard: Guard) -> None:
    header = request.headers.get("Authorization")
    if header is None:
        if _presigned(request, guard):
            return
        raise AuthenticationError("MissingAuthenticationTokenException", "Missing Authentication Token")
    authorization = sigv4.parse_authorization(header)
    if authorization is None:
        raise _incomplete("Authorization header requires the 'Credential', 'SignedHeaders' and 'Signature' "
                          "parameters of the AWS4-HMAC-SHA256 scheme.")
    if guard.credentials is None:
        return
    secret = guard.credentials.get(authorization.access_key)
    if secret is None:
        raise AuthenticationError("UnrecognizedClientException", "The security token included in the request is "
                                  f"invalid. (The access key {authorization.access_key!r} is not one of the "
                                  f"workbench's credentials: see {CREDENTIALS_ENV}.)")
    amz_date = request.headers.get("X-Amz-Date", "")
    try:
        signed_at = datetime.datetime.strptime(amz_date, sigv4.TIME_FORMAT).replace(tzinfo=datetime.UTC)
    except ValueError:
        raise _incomplete("The request must carry its signing time as X-Amz-Date (YYYYMMDDTHHMMSSZ).") from None
    if "host" not in authorization.signed_headers or not amz_date.startswith(authorization.date):
        raise _incomplete("The signature must cover the Host header, and its scope must be the date of "
                          "X-Amz-Date.")
    now = datetime.datetime.now(datetime.UTC)
    skew = datetime.timedelta(seconds=MAX_CLOCK_SKEW_S)
    if abs(now - signed_at) > skew:
        earliest, latest = ((now + sign * skew).strftime(sigv4.TIME_FORMAT) for sign in (-1, 1))
        raise AuthenticationError("InvalidSignatureException", f"Signature expired: {amz_date} is now earlier than "
                                  f"{earliest} or later than {latest}")
    declared = request.headers.get("X-Amz-Content-SHA256")
    body_hash = declared or await _body_hash(request)
    if declared is not None and re.fullmatch(r"[0-9a-f]{64}", declared) and declared != await _body_hash(request):
        raise AuthenticationError("InvalidSignatureException", "The body does not match its X-Amz-Content-SHA256.")
    headers = {name.lower(): value for name, value in request.headers.items()}
    expected = sigv4.signature(secret=secret, method=request.method, raw_path=request.rel_url.raw_path,
                               query=request.query.items(), headers=headers,
                               signed_headers=authorization.signed_headers, body_hash=body_hash, amz_date=amz_date,
                               region=authorization.region, service=authorization.service)
    if not hmac.compare_digest(expected, authorization.signature):
        raise AuthenticationError("InvalidSignatureException", "The request signature we calculated does not match "
                                  "the signature you provided. Check your AWS Secret Access Key and signing method. "
                                  "Consult the service documentation for details.")


async def guard_request(request: web.Request) -> None:
    """Refuses what must not reach a handler (see the module's docstring) with the AWS error that says why;
    returns for the rest. The API's one middleware calls it first (see `workbench.api.app`)."""
    own = _own_hosts(request)
    try:
        _check_host(request, own)
        _check_browser(request, own)
        _check_content_type(request)
        await _check_signature(request, request.app[GUARD])
    except LambdaError as refusal:  # said in the server's log too: the caller may be a page the user never saw
        log.warning("refused %s %s: %s: %s", request.method, request.path[:200], refusal.code, refusal.message)
        raise
