"""The only module-level app: `gunicorn wsgi:app`, `flask --app wsgi`, `python wsgi.py`."""

import os

from forum import create_app
from forum.extensions import socketio

app = create_app()

if __name__ == "__main__":
    # Development server (make run); production setup is in the README.
    socketio.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        allow_unsafe_werkzeug=True,
    )
