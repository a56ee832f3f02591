"""A small registry of API operations: it wires each view and describes it in OpenAPI 3.1.

:meth:`Api.operation` registers a view on a blueprint together with what it
takes (query, body and header models, path parameters), what it answers
(response models per status), who may call it (roles) and its rate-limit
class. The wrapper it installs authenticates, rate-limits and validates
before the view runs, so a view only sees valid input. :meth:`Api.document`
assembles the OpenAPI document from the same records and pydantic's JSON
Schemas (draft 2020-12, which OpenAPI 3.1 uses). One registry per app; nothing
is registered at import time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, request
from flask.wrappers import Response
from pydantic import BaseModel, ValidationError

from web.auth import Principal, Role
from web.problems import ApiProblem, validation_errors
from web.ratelimit import retry_after_header
from web.schemas import Problem

PUBLIC: frozenset[Role] = frozenset()
ANY_ROLE: frozenset[Role] = frozenset(Role)
MAX_BODY_BYTES = 64 * 1024
_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


@dataclass(frozen=True, slots=True)
class HeaderParam:
    """A request header an operation reads."""

    name: str
    required: bool
    description: str
    max_length: int = 200


@dataclass(frozen=True, slots=True)
class Operation:
    """One documented endpoint."""

    method: str
    path: str
    summary: str
    tag: str
    roles: frozenset[Role]
    responses: Mapping[int, type[BaseModel] | None]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    headers: tuple[HeaderParam, ...] = ()
    path_params: tuple[str, ...] = ()
    rate: str | None = None
    description: str = ""


@dataclass(slots=True)
class Call:
    """What a view receives: the caller and the validated input."""

    principal: Principal | None
    query: Any = None
    body: Any = None
    path: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reply:
    """What a view returns: a model (or plain dict), a status and headers."""

    body: BaseModel | Mapping[str, Any]
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


def _problem(status: int, slug: str, title: str, detail: str, **kw: Any) -> ApiProblem:
    return ApiProblem(status, slug, title, detail, **kw)


class Api:
    """The registry of one app's API operations.

    Parameters
    ----------
    prefix : str
        URL prefix of the blueprints (``/api/v1``).
    authenticate : callable
        Maps a bearer token to a :class:`Principal` (or ``None``).
    rate_limit : callable
        ``(who, kind) -> seconds to wait`` (0 when the request may pass).
    """

    def __init__(self, prefix: str, *, authenticate: Callable[[str], Principal | None],
                 rate_limit: Callable[[str, str], float]) -> None:
        self.prefix = prefix
        self.operations: list[Operation] = []
        self._authenticate = authenticate
        self._rate_limit = rate_limit

    # -- wiring ------------------------------------------------------------------------

    def operation(self, bp: Blueprint, rule: str, method: str, *, summary: str, tag: str,
                  roles: frozenset[Role], responses: Mapping[int, type[BaseModel] | None],
                  query: type[BaseModel] | None = None, body: type[BaseModel] | None = None,
                  headers: Sequence[HeaderParam] = (), rate: str | None = None,
                  description: str = "") -> Callable[[Callable[[Call], Reply]],
                                                     Callable[[Call], Reply]]:
        """Register ``view`` for ``method rule`` on ``bp`` and document it."""
        path_params = tuple(_PARAM.findall(rule))
        op = Operation(method.upper(), self.prefix + _PARAM.sub(r"{\1}", rule), summary, tag,
                       roles, dict(responses), query, body, tuple(headers), path_params, rate,
                       description)
        self.operations.append(op)

        def deco(view: Callable[[Call], Reply]) -> Callable[[Call], Reply]:
            def endpoint(**path: str) -> Response:
                return self._run(op, view, path)

            bp.add_url_rule(rule, endpoint=f"{view.__name__}_{method.lower()}",
                            view_func=endpoint, methods=[op.method])
            return view

        return deco

    def _run(self, op: Operation, view: Callable[[Call], Reply], path: dict[str, str]
             ) -> Response:
        principal = self._principal(op)
        if op.rate is not None and principal is not None:
            wait = self._rate_limit(principal.token_id, op.rate)
            if wait > 0:
                raise _problem(429, "rate-limited", "Too many requests",
                               f"the {op.rate} rate limit of this token is spent; retry in "
                               f"{retry_after_header(wait)} s",
                               headers={"Retry-After": retry_after_header(wait)})
        for name, value in path.items():
            if not 1 <= len(value) <= 200:
                raise _problem(422, "validation-error", "Request validation failed",
                               f"path.{name}: must be 1-200 characters",
                               errors=[{"loc": f"path.{name}", "msg": "1-200 characters",
                                        "type": "string_length"}])
        call = Call(principal, path=path)
        call.headers = self._headers(op)
        if op.query is not None:
            args: dict[str, Any] = {}
            for key in request.args:
                values = request.args.getlist(key)
                if len(values) > 1:
                    raise _problem(422, "validation-error", "Request validation failed",
                                   f"query.{key}: given {len(values)} times",
                                   errors=[{"loc": f"query.{key}", "msg": "given more than once",
                                            "type": "duplicate"}])
                args[key] = values[0]
            call.query = self._validate(op.query, args, "query")
        elif request.args:
            key = next(iter(request.args))
            raise _problem(422, "validation-error", "Request validation failed",
                           f"query.{key}: this endpoint takes no query parameters",
                           errors=[{"loc": f"query.{key}", "msg": "unexpected",
                                    "type": "extra_forbidden"}])
        if op.body is not None:
            call.body = self._validate(op.body, _json_body(), "body")
        reply = view(call)
        payload = (reply.body.model_dump(mode="json", by_alias=True, exclude_none=False)
                   if isinstance(reply.body, BaseModel) else dict(reply.body))
        resp = Response(json.dumps(payload, ensure_ascii=False, default=_scalar),
                        mimetype="application/json")
        resp.status_code = reply.status
        for k, v in reply.headers.items():
            resp.headers[k] = v
        return resp

    def _principal(self, op: Operation) -> Principal | None:
        if op.roles == PUBLIC:
            return None
        auth = request.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        principal = (self._authenticate(token.strip())
                     if scheme.lower() == "bearer" and token.strip() else None)
        if principal is None:
            raise _problem(401, "unauthorized", "Authentication required",
                           "send a valid API token as 'Authorization: Bearer tsu_...'",
                           headers={"WWW-Authenticate": 'Bearer realm="tsunagu"'})
        if principal.role not in op.roles and principal.role is not Role.ADMIN:
            raise _problem(403, "forbidden", "Forbidden",
                           f"a {principal.role.value} token may not {op.method} {op.path} "
                           f"(roles: {', '.join(sorted(r.value for r in op.roles))})")
        return principal

    @staticmethod
    def _headers(op: Operation) -> dict[str, str]:
        out = {}
        for h in op.headers:
            value = request.headers.get(h.name)
            if value is None or not value.strip():
                if h.required:
                    raise _problem(400, "missing-header", "Missing header",
                                   f"header {h.name} is required: {h.description}",
                                   errors=[{"loc": f"header.{h.name}", "msg": "required",
                                            "type": "missing"}])
                continue
            value = value.strip()
            if len(value) > h.max_length or not value.isprintable():
                raise _problem(400, "invalid-header", "Invalid header",
                               f"header {h.name} must be 1-{h.max_length} printable "
                               "characters",
                               errors=[{"loc": f"header.{h.name}",
                                        "msg": f"1-{h.max_length} printable characters",
                                        "type": "string_length"}])
            out[h.name] = value
        return out

    @staticmethod
    def _validate(model: type[BaseModel], data: Any, where: str) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            errors = validation_errors(exc, where)
            raise _problem(422, "validation-error", "Request validation failed",
                           "; ".join(f"{e['loc']}: {e['msg']}" for e in errors[:5]),
                           errors=errors) from None

    # -- document ----------------------------------------------------------------------

    def document(self, *, title: str, version: str) -> dict[str, Any]:
        """Return the OpenAPI 3.1 document of every registered operation."""
        schemas: dict[str, Any] = {}

        def ref(model: type[BaseModel], mode: str = "serialization") -> dict[str, str]:
            name = model.__name__
            if name not in schemas:
                s = model.model_json_schema(ref_template="#/components/schemas/{model}",
                                            by_alias=True, mode=mode)  # type: ignore[arg-type]
                for k, v in s.pop("$defs", {}).items():
                    schemas.setdefault(k, v)
                schemas[name] = s
            return {"$ref": f"#/components/schemas/{name}"}

        problem = {"description": "Problem details (RFC 9457)",
                   "content": {"application/problem+json": {"schema": ref(Problem)}}}
        paths: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            params: list[dict[str, Any]] = [
                {"name": p, "in": "path", "required": True,
                 "schema": {"type": "string", "minLength": 1, "maxLength": 200}}
                for p in op.path_params]
            if op.query is not None:
                qs = op.query.model_json_schema(by_alias=True, mode="validation")
                required = set(qs.get("required", []))
                for name, prop in qs.get("properties", {}).items():
                    params.append({"name": name, "in": "query", "required": name in required,
                                   "description": prop.get("description", ""),
                                   "schema": {k: v for k, v in prop.items()
                                              if k != "description"}})
            for h in op.headers:
                params.append({"name": h.name, "in": "header", "required": h.required,
                               "description": h.description,
                               "schema": {"type": "string", "minLength": 1,
                                          "maxLength": h.max_length}})
            responses: dict[str, Any] = {}
            for status, model in sorted(op.responses.items()):
                entry: dict[str, Any] = {"description": model.__doc__.strip().splitlines()[0]
                                         if model is not None and model.__doc__ else "OK"}
                if model is not None:
                    entry["content"] = {"application/json": {"schema": ref(model)}}
                responses[str(status)] = entry
            errors = {422, 500}
            if op.roles != PUBLIC:
                errors |= {401, 403}
            if op.rate:
                errors.add(429)
            if op.path_params:
                errors.add(404)
            if op.body is not None:
                errors |= {400, 415}
            if op.headers:
                errors.add(400)
            for status in sorted(errors):
                responses.setdefault(str(status), problem)
            entry = {"summary": op.summary, "operationId": _operation_id(op), "tags": [op.tag],
                     "parameters": params, "responses": responses}
            if op.description:
                entry["description"] = op.description
            if op.body is not None:
                entry["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": ref(op.body, "validation")}}}
            entry["security"] = [] if op.roles == PUBLIC else [{"bearerAuth": []}]
            if op.roles != PUBLIC:
                entry["x-roles"] = sorted({r.value for r in op.roles} | {Role.ADMIN.value})
            paths.setdefault(op.path, {})[op.method.lower()] = entry
        return {
            "openapi": "3.1.0",
            "info": {"title": title, "version": version,
                     "description": "Tsunagu JSON API: journey planning, on-demand ride "
                                    "bookings, vehicles and dispatch. Errors are RFC 9457 "
                                    "application/problem+json."},
            "servers": [{"url": "/"}],
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                                   "description": "tsu_... API token"}},
            },
        }


def _scalar(value: Any) -> Any:
    """JSON for numpy scalars (``.item()``); anything else is a bug, reported as such."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def _operation_id(op: Operation) -> str:
    words = re.findall(r"[a-z]+", op.path.removeprefix("/api/v1").lower())
    return op.method.lower() + "".join(w.capitalize() for w in words)


def _json_body() -> Any:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise _problem(413, "too-large", "Request body too large",
                       f"the body is {request.content_length} bytes; at most {MAX_BODY_BYTES}")
    mimetype = request.mimetype
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise _problem(415, "unsupported-media-type", "Unsupported media type",
                       f"send the body as application/json, not {mimetype or 'nothing'!r}")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        raise _problem(413, "too-large", "Request body too large",
                       f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
        return json.loads(text)
    except UnicodeDecodeError as exc:
        raise _problem(400, "malformed-json", "Malformed JSON",
                       f"the body is not UTF-8 (byte {exc.start})") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        where = (f" at line {exc.lineno} column {exc.colno}"
                 if isinstance(exc, json.JSONDecodeError) else "")
        raise _problem(400, "malformed-json", "Malformed JSON",
                       f"the body is not valid JSON{where}") from None
