"""Communities of practice around a theme, and calls for experiences (convocatorias)."""
