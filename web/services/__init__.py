"""The services behind the API, built once per app and held on ``app.extensions``."""
