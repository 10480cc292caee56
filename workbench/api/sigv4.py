"""AWS Signature Version 4 for HTTP requests: reading an Authorization header, computing a signature, and
signing a request (the workbench's own commands sign what they send).

One implementation serves both sides, so the server checks exactly what a client computes. It follows AWS's
specification: the canonical request (method, URI, query, signed headers, payload hash), the string to sign
(algorithm, time, scope, hash of the canonical request) and the key derived from the secret, the date, the
region and the service. S3 is the one service whose URI is not encoded a second time.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

ALGORITHM = "AWS4-HMAC-SHA256"
#: The time format of X-Amz-Date and of the string to sign.
TIME_FORMAT = "%Y%m%dT%H%M%SZ"

_HEADER = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)"
    r"/aws4_request,\s*SignedHeaders=(?P<headers>[a-z0-9-]+(?:;[a-z0-9-]+)*),\s*Signature=(?P<signature>[0-9a-f]{64})",
)


@dataclass(frozen=True)
class Authorization:
    """The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header."""

    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def parse_authorization(value: str) -> Authorization | None:
    """The header's parts, or None when it is not a well-formed SigV4 Authorization header."""
    match = _HEADER.fullmatch(value.strip())
    if match is None:
        return None
    return Authorization(match["key"], match["date"], match["region"], match["service"],
                         tuple(match["headers"].split(";")), match["signature"])


def payload_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _canonical_uri(raw_path: str, service: str) -> str:
    """The path as the client sent it (percent-encoded once), encoded again except for S3 (as botocore does)."""
    if service == "s3":
        return quote(unquote(raw_path), safe="/~") or "/"
    return quote(raw_path, safe="/~") or "/"


def _canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    encoded = sorted((quote(key, safe="-_.~"), quote(value, safe="-_.~")) for key, value in pairs)
    return "&".join(f"{key}={value}" for key, value in encoded)


def _canonical_headers(headers: Mapping[str, str], names: Iterable[str]) -> str:
    return "".join(f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in names)


def signature(*, secret: str, method: str, raw_path: str, query: Iterable[tuple[str, str]],
              headers: Mapping[str, str], signed_headers: Iterable[str], body_hash: str, amz_date: str,
              region: str, service: str) -> str:
    """The hex signature of a request. ``headers`` must be keyed by lower-case names."""
    names = list(signed_headers)
    canonical = "\n".join([method.upper(), _canonical_uri(raw_path, service), _canonical_query(query),
                           _canonical_headers(headers, names), ";".join(names), body_hash])
    date = amz_date[:8]
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def sign(*, access_key: str, secret: str, method: str, host: str, raw_path: str, query: Iterable[tuple[str, str]],
         body: bytes, region: str = "us-east-1", service: str = "lambda",
         now: datetime.datetime | None = None) -> dict[str, str]:
    """The headers that sign a request (X-Amz-Date, X-Amz-Content-SHA256, Authorization): a client adds them
    to its own, with ``host`` as its Host header."""
    amz_date = (now or datetime.datetime.now(datetime.UTC)).strftime(TIME_FORMAT)
    body_hash = payload_hash(body)
    headers = {"host": host, "x-amz-content-sha256": body_hash, "x-amz-date": amz_date}
    names = sorted(headers)
    value = signature(secret=secret, method=method, raw_path=raw_path, query=query, headers=headers,
                      signed_headers=names, body_hash=body_hash, amz_date=amz_date, region=region, service=service)
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    return {"X-Amz-Date": amz_date, "X-Amz-Content-SHA256": body_hash,
            "Authorization": f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={';'.join(names)}, "
                             f"Signature={value}"}
