"""Repairs of Litestar 2 behaviours that do not fit this API, each naming what it works around.

Everything here is about the framework, not about what the API says, and nothing here knows the
API: what a repair needs of it is handed in. Once Litestar does the right thing itself, a repair
goes (tests/web/test_framework_repairs.py fails without each one).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

import msgspec
from litestar import Controller, Litestar, Request, Response
from litestar._asgi.utils import wrap_in_exception_handler
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import MediaType
from litestar.handlers import BaseRouteHandler
from litestar.middleware.allowed_hosts import AllowedHostsMiddleware
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def complete_options_allow(app: Litestar) -> Litestar:
    """Make each default OPTIONS handler list every method of its path in `Allow`.

    Litestar 2 creates it with the path's first handler and keeps it when more handlers join
    the path, so `OPTIONS /auth/me` said `GET, OPTIONS` without `DELETE` (litestar#4169, fixed
    only in Litestar 3). The 405 answer's `Allow` is computed elsewhere and was already right.
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "OPTIONS" not in route.route_handler_map:
            continue
        handler = route.route_handler_map["OPTIONS"][0]
        if handler.fn.__qualname__ == "HTTPRoute.create_options_handler.<locals>.options_handler":
            # Synchronous like the one it replaces, which Litestar already calls as such.
            handler._fn = _options_handler(", ".join(sorted(route.methods)))  # type: ignore[assignment]
    return app


def _options_handler(allow: str) -> Callable[[Scope], Response[None]]:
    def options_handler(scope: Scope) -> Response[None]:
        return Response(
            content=None,
            status_code=HTTP_204_NO_CONTENT,
            headers={"Allow": allow},
            media_type=MediaType.TEXT,
        )

    return options_handler


class DefinitionOrder(Controller):
    """A controller whose handlers register in the order they are defined.

    Litestar 2 sorts a controller's handlers by their `handler_id` (the handler's name first),
    and the OpenAPI document lists paths in registration order: without this, a controller's
    paths would appear alphabetically by method name instead of as the module presents them.
    """

    def get_route_handlers(self) -> list[BaseRouteHandler]:
        """Litestar's copies of the handlers, in the order of their definitions."""
        defined = [
            name
            for cls in reversed(type(self).__mro__)
            for name, value in vars(cls).items()
            if isinstance(value, BaseRouteHandler)
        ]
        position = {name: index for index, name in enumerate(defined)}
        return sorted(super().get_route_handlers(), key=lambda h: position[h.fn.__name__])


class AllowedHostsOnly(AllowedHostsMiddleware):
    """Litestar's allowed-hosts middleware (`config` says which), refusing any other `Host`, or
    none, with `refusal`'s answer: Litestar's own is its exception's shape (`status_code`,
    `detail`), where every error of ours has an `error` code."""

    def __init__(
        self,
        app: ASGIApp,
        config: AllowedHostsConfig,
        refusal: Callable[[Request[Any, Any, Any]], Response[Any]],
    ) -> None:
        super().__init__(app, config)
        self._refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed = self.allowed_hosts_regex
        host = Headers.from_scope(scope).get("host")
        if allowed is None or (host is not None and allowed.fullmatch(host)):
            await self.app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = Request(scope, receive, send)
        response = self._refusal(request)
        await response.to_asgi_response(app=None, request=request)(scope, receive, send)


_REFUSED_PREFLIGHT = "connect_backend.refused_preflight"


def json_refused_preflights(body: bytes) -> Callable[[Message, Scope], Awaitable[None]]:
    """A `before_send` hook: a refused CORS preflight answered with `body`, a JSON error.

    Litestar's CORS middleware answers a preflight it refuses with a plain-text 400; every
    error of ours is JSON with an `error` code.
    """

    async def json_refusal(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            if scope.get("method") == "OPTIONS":
                headers = MutableScopeHeaders.from_message(message)
                if _is_refused_preflight(scope, message, headers):
                    scope.setdefault("state", {})[_REFUSED_PREFLIGHT] = True
                    headers["Content-Type"] = "application/json"
                    headers["Content-Length"] = str(len(body))
        elif message["type"] == "http.response.body" and scope.get("state", {}).get(
            _REFUSED_PREFLIGHT
        ):
            message["body"] = body

    return json_refusal


def mounts_answer_their_own_cors(app: Litestar, mounts: Collection[str]) -> None:
    """Requests under `mounts` (paths of mounted ASGI apps) pass by the app's CORS.

    Litestar 2's CORS middleware belongs to the whole app and answers every preflight with an
    `Origin` before routing, by the app's CORS config; no route can opt out. A mounted app with
    CORS rules of its own (dev's Corbado emulator) must get its own preflights. Everything else
    about those requests is as for any other: call it before anything wraps the app's handler
    (the request observability does), so that what wraps it wraps both ways.
    """
    if app.cors_config is None or not mounts:
        return
    with_cors, without_cors = app.asgi_handler, wrap_in_exception_handler(app.asgi_router)
    prefixes = tuple(mount + "/" for mount in mounts)

    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if path in mounts or path.startswith(prefixes):
            await without_cors(scope, receive, send)
        else:
            await with_cors(scope, receive, send)

    app.asgi_handler = route


def _is_refused_preflight(scope: Scope, message: Message, headers: MutableScopeHeaders) -> bool:
    return (
        message.get("status") == 400
        and headers.get("Content-Type", "").startswith("text/plain")
        and any(name.lower() == b"access-control-request-method" for name, _ in scope["headers"])
    )


def repair_document(document: dict[str, Any], structs: type[msgspec.Struct]) -> dict[str, Any]:
    """The OpenAPI document as Litestar 2 should have written it from the declarations, where
    `structs` is the base of every request and answer struct.

    - A body a handler takes as `X | None` is optional: Litestar documents it as a required
      `oneOf` with null; it becomes `required: false`, schema `X` (the handler refuses `null`
      through `wire.decode_optional_body`), and what Litestar put beside the `oneOf`
      (description, examples) moves to `X`.
    - A request struct that refuses unknown members (msgspec `forbid_unknown_fields`) says
      `additionalProperties: false`, which Litestar's schema plugin leaves out.
    - An optional header parameter is absent or a value: Litestar adds `null`. A `oneOf` of one
      schema (a field left out rather than `null`, msgspec's `UNSET`) is that schema; a
      parameter's description is not repeated in its schema.
    - A 204 has no content: Litestar documents a handler that returns a `Response[None]` (to
      set a cookie) with a `null` body.
    """
    components = document.get("components", {}).get("schemas", {})
    for component in components.values():
        for name, schema in component.get("properties", {}).items():
            component["properties"][name] = _single_branch(schema)
    for operation in operations(document):
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "header" and not parameter.get("required"):
                parameter["schema"] = _not_null(parameter["schema"])
            if parameter.get("schema", {}).get("description") == parameter.get("description"):
                parameter["schema"].pop("description", None)
        if "204" in operation.get("responses", {}):
            operation["responses"]["204"].pop("content", None)
        body = operation.get("requestBody")
        if body is not None:
            media = body["content"]["application/json"]
            media["schema"] = _optional(body, media["schema"], components)
            _close(media["schema"], components, structs)
    return document


_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of `document`, path by path."""
    return [
        item[method]
        for item in document.get("paths", {}).values()
        for method in _METHODS
        if method in item
    ]


def _single_branch(schema: dict[str, Any]) -> dict[str, Any]:
    branches = schema.get("oneOf")
    if not isinstance(branches, list) or len(branches) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key != "oneOf"}
    return {**branches[0], **rest}


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    branches = schema.get("oneOf", [])
    rest = [branch for branch in branches if branch != {"type": "null"}]
    if len(branches) != 2 or len(rest) != 1:
        return schema
    return {**{key: value for key, value in schema.items() if key != "oneOf"}, **rest[0]}


def _optional(
    body: dict[str, Any], schema: dict[str, Any], components: dict[str, Any]
) -> dict[str, Any]:
    branches = schema.get("oneOf", [])
    rest = [branch for branch in branches if branch != {"type": "null"}]
    if len(branches) != 2 or len(rest) != 1:
        return schema
    body["required"] = False
    target = _component(rest[0], components)
    for key, value in schema.items():
        if key != "oneOf" and target is not None:
            target.setdefault(key, value)
    return dict(rest[0])


def _close(
    schema: dict[str, Any], components: dict[str, Any], structs: type[msgspec.Struct]
) -> None:
    target = _component(schema, components)
    struct = _subclasses(structs).get(target.get("title", "")) if target is not None else None
    if target is not None and struct is not None and struct.__struct_config__.forbid_unknown_fields:
        target["additionalProperties"] = False


def _component(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any] | None:
    reference = schema.get("$ref", "")
    prefix = "#/components/schemas/"
    found = components.get(reference[len(prefix) :]) if reference.startswith(prefix) else None
    return found if isinstance(found, dict) else None


def _subclasses(base: type[msgspec.Struct]) -> dict[str, type[msgspec.Struct]]:
    found: dict[str, type[msgspec.Struct]] = {}
    pending: list[type[msgspec.Struct]] = [base]
    while pending:
        struct = pending.pop()
        found[struct.__name__] = struct
        pending.extend(struct.__subclasses__())
    return found
