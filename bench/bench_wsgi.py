"""The production app plus a bare route, so the ceiling and the real pages are served
by the same gunicorn process with the same settings: `gunicorn bench.bench_wsgi:app`.

`/_bare` still passes through the app's own hooks (session, rate limiter, security
headers, Socket.IO middleware): it is the ceiling of *this* app, not of bare Flask.
Configuration comes from the environment (FORUM_INSTANCE_PATH, FORUM_DATABASE_URL).
"""

from bench._app import add_bare
from forum import create_app

app = add_bare(create_app())
