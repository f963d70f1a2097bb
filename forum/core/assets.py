"""Static files a repeat visit never asks for again: every `url_for('static', ...)` carries
`?v=<hash of the file>`, and such URLs are served with a year's `immutable` cache lifetime.

A changed file gets a new hash, so a deploy is seen at once; a URL without `v` (typed by
hand, or an old page) is still served, revalidated by its ETag as before. Over a rural
mobile link this saves the round trips of revalidating the style sheet and the scripts on
every page.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    folder = Path(app.static_folder or "static")
    hashes: dict[str, str] = {}

    def version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or "v" in values:
            return
        name = values.get("filename", "")
        if name not in hashes:
            path = folder / name
            hashes[name] = file_hash(path) if path.is_file() else ""
        if hashes[name]:
            values["v"] = hashes[name]

    def lifetime(response: Response) -> Response:
        if request.endpoint == "static" and request.args.get("v") and response.status_code in (
                200, 304):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response

    app.url_defaults(version)
    app.after_request(lifetime)


def file_hash(path: Path) -> str:
    """The first 10 hex digits of the file's SHA-1: enough to tell versions apart."""
    return hashlib.sha1(path.read_bytes()).hexdigest()[:10]
