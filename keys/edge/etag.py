"""Entity tags and ``If-None-Match`` (RFC 9110, sections 8.8.3 and 13.1.2).

``If-None-Match`` uses the *weak* comparison: ``W/"x"`` matches ``"x"``. The
header is a list of entity tags or ``*``; tags are quoted strings, so a comma
inside one does not split the list, and a header that only *contains* the tag
as a substring (``"abc"`` inside ``"xabc"``) does not match it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Mapping

from starlette.requests import Request
from starlette.responses import Response

_TAG = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')


def etag_for(body: bytes) -> str:
    """A strong entity tag naming exactly these bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def opaque(tag: str) -> str:
    """The quoted part of an entity tag, without a weak prefix: what weak comparison compares."""
    return tag.strip().removeprefix("W/")


def parse_if_none_match(header: str) -> list[str] | None:
    """The opaque tags listed, ``["*"]`` for ``*``, or None when the header is not a valid list."""
    text = header.strip()
    if text == "*":
        return ["*"]
    tags: list[str] = []
    pos = 0
    while pos < len(text):
        if text[pos] in ", \t":  # empty list elements are allowed
            pos += 1
            continue
        match = _TAG.match(text, pos)
        if match is None:
            return None
        tags.append(match.group(2))
        pos = match.end()
    return tags


def none_match(header: str | None, etag: str) -> bool:
    """True when ``If-None-Match`` matches ``etag`` (so a GET answers 304); an invalid header matches nothing."""
    if header is None:
        return False
    tags = parse_if_none_match(header)
    if not tags:
        return False
    return tags == ["*"] or opaque(etag) in tags


def conditional(
    request: Request,
    body: bytes,
    *,
    media_type: str,
    headers: Mapping[str, str],
    etag: str | None = None,
) -> Response:
    """``body`` with its ETag, or 304 when the client already holds it.

    A HEAD request is given the body too, so its Content-Length is the GET's;
    the server sends the headers only.
    """
    tag = etag if etag is not None else etag_for(body)
    common = {**headers, "ETag": tag}
    if none_match(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=common)
    return Response(body, media_type=media_type, headers=common)
