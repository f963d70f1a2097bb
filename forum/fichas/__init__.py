"""Experience sheets (fichas): fields, revisions, co-editors, attachments."""
