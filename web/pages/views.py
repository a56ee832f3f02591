"""The pages blueprint: server-rendered templates for residents, dispatchers and planners.

Views only render: the pages call the JSON API from the browser with the token
the user entered on the sign-in page (kept in ``sessionStorage``). Leaflet is
served from the npm package's ``dist`` folder (``web/static/node_modules``,
installed by ``npm ci``), never from a CDN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from werkzeug.wrappers import Response as WerkzeugResponse

from web.pages.i18n import COOKIE, LANGUAGES, messages, pick_language

WEB = Path(__file__).resolve().parent.parent
STATIC = WEB / "static"
LEAFLET_DIST = STATIC / "node_modules" / "leaflet" / "dist"
API_PREFIX = "/api/v1"


def _render(template: str, page: str, **context: Any) -> Response:
    lang = pick_language(request)
    t = messages(lang)
    other = [x for x in LANGUAGES if x != lang]
    resp = make_response(render_template(
        template, t=t, lang=lang, languages=LANGUAGES, other_languages=other, page=page,
        api_prefix=API_PREFIX, **context))
    if request.args.get("lang") in LANGUAGES:
        resp.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="Lax")
    resp.headers["Content-Language"] = lang
    resp.headers["Vary"] = "Accept-Language, Cookie"
    return resp


def blueprint() -> Blueprint:
    """Return the pages blueprint (templates and assets under ``web/``)."""
    bp = Blueprint("pages", __name__, template_folder=str(WEB / "templates"),
                   static_folder=str(STATIC / "assets"), static_url_path="/assets")

    @bp.get("/")
    def index() -> WerkzeugResponse:
        target = url_for("pages.resident")
        query = request.query_string.decode("ascii", "replace")
        return redirect(f"{target}?{query}" if query else target)

    @bp.get("/login")
    def login() -> Response:
        return _render("login.html", "login")

    @bp.get("/resident")
    def resident() -> Response:
        return _render("resident.html", "resident", role="resident")

    @bp.get("/dispatcher")
    def dispatcher() -> Response:
        return _render("dispatcher.html", "dispatcher", role="dispatcher")

    @bp.get("/planner")
    def planner() -> Response:
        return _render("planner.html", "planner", role="planner")

    @bp.get("/vendor/leaflet/<path:filename>")
    def leaflet(filename: str) -> Response:
        if not LEAFLET_DIST.is_dir():
            abort(404)
        return send_from_directory(LEAFLET_DIST, filename, max_age=86400)

    return bp
