"""Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, jsonify

from web.api import register_api
from web.config import DEFAULTS, Settings
from web.pages import register_pages
from web.problems import install_problem_handlers
from web.services.container import Services

EXTENSION = "tsunagu"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the Tsunagu web application.

    Parameters
    ----------
    config
        Settings that override the defaults (:data:`web.config.DEFAULTS`); when
        ``None``, ``TSUNAGU_*`` environment variables are read
        (``TSUNAGU_DATA_DIR`` becomes ``DATA_DIR``).

    Returns
    -------
    flask.Flask
        A new application; nothing is shared between two calls. Its services
        (:class:`web.services.container.Services`) are on
        ``app.extensions["tsunagu"]`` and are built on first use.
    """
    app = Flask("tsunagu")
    app.config.from_mapping(DEFAULTS)
    if config is None:
        app.config.from_prefixed_env("TSUNAGU")
    else:
        app.config.from_mapping(config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    services = Services(Settings.of(app.config))
    app.extensions[EXTENSION] = services
    install_problem_handlers(app)
    app.extensions["tsunagu_api"] = register_api(app, services)
    register_pages(app, app.extensions["tsunagu_api"], services)

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok")

    return app


def services_of(app: Flask) -> Services:
    """Return the services of an app made by :func:`create_app`."""
    services: Services = app.extensions[EXTENSION]
    return services
