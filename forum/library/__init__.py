"""The library of guides and documents curated by facilitators (issue 7).

`init_app` registers the pages, what the package adds beside sheets (fichas.extras: the
recommended readings and the completeness guide's links) and the space page's helper.
Importing the package attaches the API routes to the shared API blueprint and makes the
models known to the metadata.
"""

from __future__ import annotations

from flask import Flask

from forum.fichas import extras
from forum.library import api, models, sheet_extras, views


def init_app(app: Flask) -> None:
    assert api and models  # imported for their routes and tables
    app.register_blueprint(views.bp)
    extras.register("after", sheet_extras.beside_sheet)
    extras.register_guides(sheet_extras.guide_links, sheet_extras.guide_stamp)
    app.jinja_env.globals["library_on_space"] = sheet_extras.on_space
