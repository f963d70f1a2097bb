"""Best-practice contests run on calls for experiences (issue 7).

`init_app` registers the pages and what the package adds beside sheets (fichas.extras), on
the call page (a template helper), on a juror's own profile (core.web.OWN_LINKS), on
withdrawal from a call (an event subscriber), and the jurors' notifications
(contests.notices).
"""

from __future__ import annotations

from flask import Flask

from forum.contests import jury_views, notices, views, web
from forum.core import events
from forum.core import web as core_web
from forum.fichas import extras


def init_app(app: Flask) -> None:
    assert jury_views  # importing it attaches the jurors' and public pages to views.bp
    app.register_blueprint(views.bp)
    app.context_processor(web.helpers)
    extras.register("before", web.awards_beside_sheet)
    events.subscribe_in_transaction("call.withdrawn", web.withdrawn)
    notices.subscribe()
    if web.desk_link not in core_web.OWN_LINKS:  # one registry for every app made
        core_web.OWN_LINKS.append(web.desk_link)
