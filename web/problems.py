"""RFC 9457 problem details: the one shape every API error takes.

:class:`ApiProblem` is raised by views and services; :func:`install_problem_handlers`
maps everything else — pydantic validation errors, Tsunagu's own errors
(``ValueError`` → 422, ``LookupError`` → 404, conflicts → 409), werkzeug's HTTP
errors (unknown route, wrong method, ...) and, as a last resort, any exception
(500 without internals) — to ``application/problem+json``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask, Response, json, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from dispatch.booking import BookingNotFound, IdempotencyConflict
from dispatch.store import StoreError
from transit.errors import TsunaguError

PROBLEM_JSON = "application/problem+json"
_TYPE = "urn:tsunagu:problem:"
_log = logging.getLogger("tsunagu.web")


class ApiProblem(Exception):
    """An API error with its HTTP status, a problem type slug, a title and a detail.

    Parameters
    ----------
    status : int
        HTTP status code.
    slug : str
        The problem type, rendered as ``urn:tsunagu:problem:<slug>``.
    title : str
        A short summary that is the same for every occurrence of the type.
    detail : str
        What went wrong this time, naming the field and the value.
    errors : sequence of mapping, optional
        Field problems (``{"loc": "body.seats", "msg": "...", "type": "..."}``).
    headers : mapping, optional
        Extra response headers (``Retry-After``, ``WWW-Authenticate``).
    extra : mapping, optional
        Further members of the problem object (``alternatives``...).
    """

    def __init__(self, status: int, slug: str, title: str, detail: str, *,
                 errors: Sequence[Mapping[str, Any]] = (),
                 headers: Mapping[str, str] | None = None,
                 extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


def invalid(loc: str, msg: str, *, kind: str = "value_error") -> ApiProblem:
    """Return a 422 problem for one bad field (``loc`` like ``query.from``)."""
    return ApiProblem(422, "validation-error", "Request validation failed", f"{loc}: {msg}",
                      errors=[{"loc": loc, "msg": msg, "type": kind}])


def problem_response(status: int, slug: str | None, title: str, detail: str, *,
                     errors: Sequence[Mapping[str, Any]] = (),
                     headers: Mapping[str, str] | None = None,
                     extra: Mapping[str, Any] | None = None) -> Response:
    """Return an ``application/problem+json`` response."""
    body: dict[str, Any] = {
        "type": f"{_TYPE}{slug}" if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path if request else "",
    }
    if errors:
        body["errors"] = list(errors)
    body.update(extra or {})
    resp = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def validation_errors(exc: ValidationError, where: str) -> list[dict[str, Any]]:
    """Return pydantic's errors as ``{"loc", "msg", "type"}`` dicts, ``loc`` dotted."""
    out = []
    for e in exc.errors(include_url=False, include_context=False, include_input=False):
        loc = ".".join(str(p) for p in (where, *e["loc"]))
        out.append({"loc": loc, "msg": e["msg"], "type": e["type"]})
    return out


def _from_pydantic(exc: ValidationError) -> Response:
    errors = validation_errors(exc, "body")
    detail = "; ".join(f"{e['loc']}: {e['msg']}" for e in errors[:5])
    return problem_response(422, "validation-error", "Request validation failed", detail,
                            errors=errors)


def install_problem_handlers(app: Flask) -> None:
    """Register the error handlers that turn every error into problem+json."""

    @app.errorhandler(ApiProblem)
    def _api(exc: ApiProblem) -> Response:
        return problem_response(exc.status, exc.slug, exc.title, exc.detail, errors=exc.errors,
                                headers=exc.headers, extra=exc.extra)

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError) -> Response:
        return _from_pydantic(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        headers = {}
        if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        detail = exc.description or exc.name
        if status == 404:
            detail = f"no resource at {request.method} {request.path}"
        return problem_response(status, None, exc.name, detail, headers=headers)

    @app.errorhandler(TsunaguError)
    def _ours(exc: TsunaguError) -> Response:
        detail = " ".join(str(exc).split())
        if isinstance(exc, IdempotencyConflict):
            return problem_response(409, "idempotency-conflict", "Idempotency key reused",
                                    detail)
        if isinstance(exc, BookingNotFound | LookupError):
            return problem_response(404, "not-found", "Not found", detail)
        if isinstance(exc, StoreError):
            _log.error("booking store: %s", detail)
            return problem_response(503, "store-unavailable", "Booking store unavailable",
                                    "the booking database cannot be reached; try again later",
                                    headers={"Retry-After": "5"})
        if isinstance(exc, ValueError):
            return problem_response(422, "invalid-request", "Invalid request", detail)
        _log.exception("unexpected Tsunagu error")
        return problem_response(500, "internal", "Internal server error",
                                "the server failed to answer; the error was logged")

    @app.errorhandler(Exception)
    def _any(exc: Exception) -> Response:
        _log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(500, "internal", "Internal server error",
                                "the server failed to answer; the error was logged")
