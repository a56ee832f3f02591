"""The composition root: Flask app factory, JSON API, pages and the ``tsunagu`` CLI."""
