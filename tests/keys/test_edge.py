"""The shared HTTP edge (keys.edge): error registry, bodies, bearer tokens, ETags, Allow, files, settings."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from keys.edge import routing
from keys.edge.bearer import bearer_token
from keys.edge.body import read_json
from keys.edge.env import ConfigError, Env, Secret, read_secret_file
from keys.edge.errors import HttpError, define, lookup, registered
from keys.edge.etag import conditional, etag_for, none_match
from keys.edge.files import create_private, write_private

# -- error registry --------------------------------------------------------------


def test_a_code_is_defined_once() -> None:
    define("TEST_EDGE_CODE", 418, "测试", "test")
    define("TEST_EDGE_CODE", 418, "测试", "test")  # the same definition again is harmless
    with pytest.raises(ValueError):
        define("TEST_EDGE_CODE", 400, "测试", "test")
    with pytest.raises(ValueError):
        define("lower_case", 400, "x", "x")
    assert lookup("TEST_EDGE_CODE").status == 418


def test_both_services_codes_share_one_registry() -> None:
    import issuer.app  # noqa: F401  (defines the issuer's codes)
    import verifier.app  # noqa: F401  (defines the verifier's codes)

    codes = registered()
    for code in ("INVALID_JSON", "INVALID_INPUT", "UNSUPPORTED_MEDIA_TYPE", "DUPLICATE_AUTHORIZATION",
                 "PAYLOAD_TOO_LARGE", "CSRF_HEADER_MISSING", "ENROLMENT_INVALID", "INVALID_STATE"):
        assert code in codes, code
    assert "MALFORMED_JSON" not in codes and "BAD_REQUEST" not in codes
    for entry in codes.values():
        assert entry.zh and entry.en and 400 <= entry.status <= 599


def test_every_registry_refusal_of_the_issuer_has_a_code() -> None:
    import issuer.http_errors  # noqa: F401
    from issuer.errors import ErrorCode

    for code in ErrorCode:
        assert lookup(code).code == code.value


def test_http_error_body() -> None:
    exc = HttpError("INVALID_INPUT", "missing field 'code'", headers={"Retry-After": "1"})
    assert exc.status == 400
    assert exc.body() == {"error": "INVALID_INPUT", "message": {"zh": exc.zh, "en": exc.en},
                          "detail": "missing field 'code'"}
    response = exc.response()
    assert response.headers["retry-after"] == "1" and response.headers["cache-control"] == "no-store"


# -- an app built from the edge ------------------------------------------------------


def _app() -> Starlette:
    async def echo(request: Request) -> Response:
        return JSONResponse({"got": await read_json(request, 64)})

    async def who(request: Request) -> Response:
        return JSONResponse({"token": bearer_token(request, "test")})

    async def doc(request: Request) -> Response:
        return conditional(request, b'{"doc":1}', media_type="application/json", headers={})

    return Starlette(
        routes=[
            Route("/echo", echo, methods=["POST"]),
            Route("/echo", doc, methods=["GET"]),
            Route("/echo", who, methods=["DELETE"]),
            Route("/who", who, methods=["GET"]),
        ],
        exception_handlers=routing.exception_handlers(),
    )


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(_app())


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    "body,headers,status,code",
    [
        (b'{"a": 1}', {}, 415, "UNSUPPORTED_MEDIA_TYPE"),
        (b'{"a": 1}', {"Content-Type": "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE"),
        (b"{", JSON, 400, "INVALID_JSON"),
        (b"", JSON, 400, "INVALID_JSON"),
        (b"\xff\xfe", JSON, 400, "INVALID_JSON"),
        (b"[" * 50, JSON, 400, "INVALID_JSON"),
        (b"x" * 65, JSON, 413, "PAYLOAD_TOO_LARGE"),
        (b"x" * 65, {}, 413, "PAYLOAD_TOO_LARGE"),
    ],
)
def test_bodies_are_refused_with_stable_codes(client: TestClient, body: bytes, headers: dict[str, str],
                                              status: int, code: str) -> None:
    response = client.post("/echo", content=body, headers=headers)
    assert response.status_code == status and response.json()["error"] == code


def test_json_media_types(client: TestClient) -> None:
    for media in ("application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/problem+json"):
        assert client.post("/echo", content=b"[1]", headers={"Content-Type": media}).json() == {"got": [1]}


def test_a_client_that_goes_away_mid_body_is_not_a_crash() -> None:
    anyio.run(_disconnect)


async def _disconnect() -> None:
    app = _app()
    sent: list[dict[str, Any]] = []
    messages = iter([{"type": "http.request", "body": b'{"a"', "more_body": True}, {"type": "http.disconnect"}])

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/echo", "raw_path": b"/echo", "query_string": b"",
             "headers": [(b"content-type", b"application/json")], "http_version": "1.1", "scheme": "http",
             "server": ("test", 80), "client": ("c", 1), "root_path": "", "app": app}
    await app(scope, receive, send)
    assert sent[0]["status"] == 400 and b"CLIENT_DISCONNECTED" in sent[1]["body"]


def test_bearer_tokens(client: TestClient) -> None:
    assert client.get("/who").json() == {"token": None}
    assert client.get("/who", headers={"Authorization": "Bearer abc"}).json() == {"token": "abc"}
    assert client.get("/who", headers={"Authorization": "bearer  abc "}).json() == {"token": "abc"}
    for bad in ("Basic abc", "Bearer", "Bearer a b", "abc"):
        response = client.get("/who", headers={"Authorization": bad})
        assert response.status_code == 401 and response.json()["error"] == "UNAUTHORIZED", bad
        assert response.headers["www-authenticate"] == 'Bearer realm="test"'
    twice = client.get("/who", headers=[("Authorization", "Bearer abc"), ("Authorization", "Bearer def")])
    assert twice.status_code == 400 and twice.json()["error"] == "DUPLICATE_AUTHORIZATION"


def test_allow_lists_every_method_of_the_path(client: TestClient) -> None:
    refused = client.put("/echo")
    assert refused.status_code == 405 and refused.json()["error"] == "METHOD_NOT_ALLOWED"
    assert refused.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, POST"
    options = client.options("/echo")
    assert options.status_code == 204 and options.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, POST"
    assert client.options("/who").headers["allow"] == "GET, HEAD, OPTIONS"
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.json()["error"] == "NOT_FOUND"


# -- ETags ---------------------------------------------------------------------------------

TAG = etag_for(b'{"doc":1}')


@pytest.mark.parametrize(
    "header,matches",
    [
        (TAG, True),
        ("W/" + TAG, True),  # weak comparison
        (f'"other", {TAG}', True),
        (f'"other",W/{TAG} ,', True),
        ("*", True),
        ('"other"', False),
        ('"x' + TAG[1:], False),  # a tag containing ours is not ours
        (TAG[:-1] + 'x"', False),
        (TAG[1:-1], False),  # unquoted
        (f"{TAG}junk", False),
        ("", False),
        ('"a,b", ' + TAG, True),  # a comma inside a quoted tag does not split the list
    ],
)
def test_if_none_match_follows_rfc_9110(header: str, matches: bool) -> None:
    assert none_match(header, TAG) is matches


def test_conditional_get(client: TestClient) -> None:
    first = client.get("/echo")
    assert first.status_code == 200 and first.headers["etag"] == TAG
    assert client.get("/echo", headers={"If-None-Match": f'W/{TAG}'}).status_code == 304
    assert client.get("/echo", headers={"If-None-Match": '"x' + TAG[1:]}).status_code == 200


# -- private files and settings -----------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_private_files(tmp_path: Path) -> None:
    target = tmp_path / "new" / "secret"
    write_private(target, "one")
    assert target.read_text() == "one" and _mode(target) == 0o600 and _mode(target.parent) == 0o700
    write_private(target, b"two")
    assert target.read_text() == "two" and _mode(target) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["secret"]  # no temporary file left behind
    os.chmod(tmp_path, 0o755)
    write_private(tmp_path / "x", b"1")
    assert _mode(tmp_path) == 0o755  # an existing directory keeps its mode
    assert create_private(tmp_path / "once", b"a") is True
    assert create_private(tmp_path / "once", b"b") is False
    assert (tmp_path / "once").read_bytes() == b"a" and _mode(tmp_path / "once") == 0o600


def test_secret_is_never_shown(tmp_path: Path) -> None:
    secret = Secret("hunter2-hunter2")
    assert "hunter2" not in repr(secret) and "hunter2" not in str(secret) and "hunter2" not in f"{secret}"
    assert secret.reveal() == "hunter2-hunter2" and secret.equals("hunter2-hunter2") and not secret.equals("x")
    path = tmp_path / "s"
    path.write_text("c2VjcmV0LXNlY3JldC1zZWNyZXQ=\n")
    held = read_secret_file("X_FILE", path)
    assert held.reveal() == b"secret-secret-secret" and "secret" not in repr(held)


def test_env_reader_names_the_variable() -> None:
    env = Env({"A": " 5 ", "B": "x", "C": "", "F": "yes", "G": "maybe"})
    assert env.integer("A", 1, low=0, high=10) == 5 and env.integer("C", 7, low=0) == 7
    assert env.flag("F", False) is True and env.text("C", "d") == "d"
    for call in (lambda: env.integer("B", 1, low=0), lambda: env.integer("A", 1, low=6),
                 lambda: env.number("B", 1.0, low=0, high=1), lambda: env.flag("G", False)):
        with pytest.raises(ConfigError) as info:
            call()
        assert str(info.value).split(" ")[0] in ("A", "B", "G")


def test_a_configuration_list_file_that_is_not_one_says_which_file_and_why() -> None:
    from keys.edge.env import ConfigError, json_entries

    assert json_entries('[{"name": "a"}]', "keys.json", "name, role, sha256") == [{"name": "a"}]
    with pytest.raises(ConfigError, match="keys.json is not JSON"):
        json_entries("[", "keys.json", "name, role, sha256")
    with pytest.raises(ConfigError, match=r"keys.json must hold a JSON list of \{name, role, sha256\}"):
        json_entries('{"name": "a"}', "keys.json", "name, role, sha256")
