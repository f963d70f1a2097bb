"""The public panorama: experiences by country, theme, actor, modality and status, and
participation per space and per month, as pictures (server-rendered SVG) and as CSV."""
