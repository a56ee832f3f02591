"""Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, jsonify


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the Tsunagu web application.

    Parameters
    ----------
    config
        Settings that override the defaults; when ``None``, ``TSUNAGU_*``
        environment variables are read (``TSUNAGU_DATA_DIR`` becomes
        ``DATA_DIR``).

    Returns
    -------
    flask.Flask
        A new application; nothing is shared between two calls.
    """
    app = Flask("tsunagu")
    app.config.from_mapping(DATA_DIR="var")
    if config is None:
        app.config.from_prefixed_env("TSUNAGU")
    else:
        app.config.from_mapping(config)

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok")

    return app
