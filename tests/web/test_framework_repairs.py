"""Each repair of a Litestar 2 behaviour (`entrypoints/web/framework_repairs.py`) is needed: on a
small app, Litestar alone does what the repair's docstring says, and the repair undoes it."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import pytest
from litestar import Controller, Litestar, Request, Response, Router, asgi, delete, get, post
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.cors import CORSConfig
from litestar.middleware import DefineMiddleware
from litestar.params import Body, HeaderParameter
from litestar.testing import TestClient
from litestar.types import HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send

from entrypoints.web.framework_repairs import (
    AllowedHostsOnly,
    DefinitionOrder,
    complete_options_allow,
    json_refused_preflights,
    mounts_answer_their_own_cors,
    repair_document,
)


@get("/thing", sync_to_thread=False)
def read_thing() -> str:
    return "thing"


@delete("/thing", sync_to_thread=False)
def delete_thing() -> None:
    return None


def test_options_lists_every_method_of_a_path_served_by_several_handlers() -> None:
    app = complete_options_allow(
        Litestar(route_handlers=[Router("/x", route_handlers=[read_thing, delete_thing])])
    )
    with TestClient(app) as client:
        answer = client.options("/x/thing")
    assert answer.status_code == 204
    assert set(answer.headers["allow"].split(", ")) >= {"DELETE", "GET", "OPTIONS"}


def test_without_the_repair_litestar_leaves_a_method_out_of_allow() -> None:
    app = Litestar(route_handlers=[Router("/x", route_handlers=[read_thing, delete_thing])])
    with TestClient(app) as client:
        assert "DELETE" not in client.options("/x/thing").headers["allow"]


class Later(DefinitionOrder):
    @get("/zeta", sync_to_thread=False)
    def zeta(self) -> str:
        return "z"

    @get("/alpha", sync_to_thread=False)
    def alpha(self) -> str:
        return "a"


class Alphabetical(Controller):
    @get("/zeta", sync_to_thread=False)
    def zeta(self) -> str:
        return "z"

    @get("/alpha", sync_to_thread=False)
    def alpha(self) -> str:
        return "a"


def paths(controller: type[Controller]) -> list[str]:
    return list(Litestar(route_handlers=[controller]).openapi_schema.to_schema()["paths"])


def test_a_controllers_paths_are_documented_in_the_order_they_are_defined() -> None:
    assert paths(Later) == ["/zeta", "/alpha"]
    assert paths(Alphabetical) == ["/alpha", "/zeta"]


@get("/", sync_to_thread=False)
def root() -> str:
    return "ok"


def refused(request: Request[Any, Any, Any]) -> Response[Any]:
    return Response({"error": "host_not_allowed"}, status_code=400)


def test_a_host_outside_the_allowed_ones_is_answered_by_the_refusal_given() -> None:
    config = AllowedHostsConfig(allowed_hosts=["good.example"], www_redirect=False)
    app = Litestar(
        route_handlers=[root],
        middleware=[DefineMiddleware(AllowedHostsOnly, config=config, refusal=refused)],
    )
    with TestClient(app, base_url="http://good.example") as client:
        assert client.get("/").status_code == 200
        answer = client.get("/", headers={"Host": "evil.example"})
    assert answer.status_code == 400
    assert answer.json() == {"error": "host_not_allowed"}


def test_without_the_repair_litestar_refuses_a_host_in_its_own_shape() -> None:
    config = AllowedHostsConfig(allowed_hosts=["good.example"], www_redirect=False)
    app = Litestar(route_handlers=[root], allowed_hosts=config)
    with TestClient(app, base_url="http://good.example") as client:
        answer = client.get("/", headers={"Host": "evil.example"})
    assert answer.status_code == 400
    assert "error" not in answer.json()


PREFLIGHT = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}


def cors_app(*before_send: Any) -> Litestar:
    cors = CORSConfig(allow_origins=["https://app.example"])
    return Litestar(route_handlers=[root], cors_config=cors, before_send=list(before_send))


REFUSAL = b'{"error":"cors_rejected"}'


def test_a_refused_preflight_is_answered_in_json() -> None:
    with TestClient(cors_app(json_refused_preflights(REFUSAL))) as client:
        answer = client.options("/", headers=PREFLIGHT)
        allowed = client.options("/", headers={**PREFLIGHT, "Origin": "https://app.example"})
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/json"
    assert answer.content == REFUSAL
    assert allowed.status_code == 204


def test_without_the_repair_litestar_refuses_a_preflight_in_plain_text() -> None:
    with TestClient(cors_app()) as client:
        answer = client.options("/", headers=PREFLIGHT)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/plain")


async def own_cors(scope: Scope, receive: Receive, send: Send) -> None:
    """A mounted app that answers every request, preflights included, itself."""
    start: HTTPResponseStartEvent = {"type": "http.response.start", "status": 299, "headers": []}
    await send(start)
    body: HTTPResponseBodyEvent = {
        "type": "http.response.body",
        "body": b"mounted",
        "more_body": False,
    }
    await send(body)


def mounting_app() -> Litestar:
    mount = asgi("/own", is_mount=True, copy_scope=True)(own_cors)
    return Litestar(route_handlers=[root, mount], cors_config=CORSConfig(allow_origins=[]))


@pytest.mark.parametrize("path", ["/own", "/own/v2/anything"])
def test_a_mount_with_its_own_cors_gets_its_preflights(path: str) -> None:
    app = mounting_app()
    mounts_answer_their_own_cors(app, ["/own"])
    with TestClient(app) as client:
        mounted = client.options(path, headers=PREFLIGHT)
        elsewhere = client.options("/", headers=PREFLIGHT)
        beside = client.options("/owned", headers=PREFLIGHT)
    assert (mounted.status_code, mounted.content) == (299, b"mounted")
    assert elsewhere.status_code == 400
    assert beside.status_code == 400


def test_without_the_repair_litestar_answers_a_mount_s_preflight_itself() -> None:
    with TestClient(mounting_app()) as client:
        answer = client.options("/own/v2/anything", headers=PREFLIGHT)
    assert answer.status_code == 400


class Closed(msgspec.Struct, forbid_unknown_fields=True):
    """A body."""

    name: str
    nickname: str | msgspec.UnsetType = msgspec.UNSET


class Optional(msgspec.Struct, forbid_unknown_fields=True):
    flag: bool = False


@post("/closed", status_code=204)
async def take_closed(
    data: Annotated[Closed, Body()],
    hint: Annotated[str | None, HeaderParameter(name="Hint", required=False)] = None,
) -> Response[None]:
    return Response(None, status_code=204)


@post("/optional", status_code=204)
async def take_optional(data: Annotated[Optional | None, Body()] = None) -> None:
    return None


def litestar_document() -> dict[str, Any]:
    app = Litestar(route_handlers=[take_closed, take_optional])
    document: dict[str, Any] = app.openapi_schema.to_schema()
    return document


def test_the_document_is_repaired_where_litestar_misstates_the_declarations() -> None:
    original = litestar_document()
    repaired = repair_document(litestar_document(), msgspec.Struct)
    schemas = repaired["components"]["schemas"]
    closed = repaired["paths"]["/closed"]["post"]
    optional = repaired["paths"]["/optional"]["post"]["requestBody"]
    # An optional body: not required, the struct itself rather than a oneOf with null.
    assert original["paths"]["/optional"]["post"]["requestBody"]["required"] is True
    assert optional["required"] is False
    assert optional["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Optional"
    }
    # A struct that refuses unknown members says so.
    assert "additionalProperties" not in original["components"]["schemas"]["Closed"]
    assert schemas["Closed"]["additionalProperties"] is False
    # An UNSET field is its one schema, not a oneOf of one.
    assert "oneOf" in original["components"]["schemas"]["Closed"]["properties"]["nickname"]
    assert schemas["Closed"]["properties"]["nickname"] == {"type": "string"}
    # An optional header is a string, never null.
    header = closed["parameters"][0]
    assert "oneOf" in original["paths"]["/closed"]["post"]["parameters"][0]["schema"]
    assert header["schema"] == {"type": "string"}
    # A 204 has no content.
    assert "content" in original["paths"]["/closed"]["post"]["responses"]["204"]
    assert "content" not in closed["responses"]["204"]
