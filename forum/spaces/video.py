"""Which video links a conference accepts, and the privacy-friendly embed URL of each."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
PEERTUBE_PATH = re.compile(r"^/(?:videos/watch|w|videos/embed)/([A-Za-z0-9-]{8,})/?$")


def embed_url(url: str) -> str | None:
    """The embeddable address for a YouTube, Vimeo or PeerTube link, or None if not one."""
    parsed = urlparse(url.strip())
    if parsed.scheme != "https" or not parsed.hostname:
        return None
    host = parsed.hostname.lower().removeprefix("www.").removeprefix("m.")
    if host in ("youtube.com", "youtube-nocookie.com"):
        vid = parse_qs(parsed.query).get("v", [""])[0]
        if not vid and parsed.path.startswith(("/embed/", "/live/", "/shorts/")):
            vid = parsed.path.split("/")[2]
        return _youtube(vid)
    if host == "youtu.be":
        return _youtube(parsed.path.lstrip("/"))
    if host in ("vimeo.com", "player.vimeo.com"):
        digits = [p for p in parsed.path.split("/") if p.isdigit()]
        return f"https://player.vimeo.com/video/{digits[0]}" if digits else None
    match = PEERTUBE_PATH.match(parsed.path)
    if match:  # PeerTube instances live on any host
        return f"https://{parsed.hostname}/videos/embed/{match.group(1)}"
    return None


def _youtube(vid: str) -> str | None:
    return f"https://www.youtube-nocookie.com/embed/{vid}" if YOUTUBE_ID.match(vid) else None


def frame_origin(embed: str) -> str:
    """The origin the Content-Security-Policy must allow for this embed."""
    parsed = urlparse(embed)
    return f"{parsed.scheme}://{parsed.hostname}"
