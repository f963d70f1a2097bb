"""Shapes of the community and call forms; what the values mean is checked by the services.

The forms parse (dates, known codes) and keep what was typed for a re-render; required
fields, lengths and the order of dates are the services' rules, so every caller gets them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional

from forum.communities import services
from forum.core import vocab

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


class _DomainForm(FlaskForm):
    def add_errors(self, fields: Mapping[str, Any]) -> None:
        """Put a service's Invalid reasons next to the fields they are about."""
        for name, reason in fields.items():
            target = self._fields.get(name)
            (target.errors if target is not None else self.form_errors).append(str(reason))


class CommunityForm(_DomainForm):
    name = StringField(_l("Name"), render_kw={"maxlength": services.NAME_MAX})
    theme = SelectField(_l("Main theme"), choices=[], validate_choice=False)
    description = TextAreaField(
        _l("What brings this community together (Markdown)"), render_kw={"rows": 6}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.theme.choices = [("", "—"), *((c, str(label)) for c, label in vocab.THEMES.items())]

    def values(self) -> dict[str, str]:
        return {
            "name": self.name.data or "",
            "theme": self.theme.data or "",
            "description": self.description.data or "",
        }


class CallForm(_DomainForm):
    title = StringField(_l("Title"), render_kw={"maxlength": services.TITLE_MAX})
    instructions = TextAreaField(_l("What to send and how (Markdown)"), render_kw={"rows": 8})
    themes = SelectMultipleField(_l("Themes"), choices=[], validate_choice=False)
    opens_at = DateTimeLocalField(_l("Opens"), format=DATETIME_FORMAT, validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes"), format=DATETIME_FORMAT, validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.themes.choices = [(c, str(label)) for c, label in vocab.THEMES.items()]

    @classmethod
    def of(cls, call: Any) -> CallForm:
        """The form filled with a call, its stored UTC times shown in the person's zone."""
        return cls(data={"title": call.title, "instructions": call.instructions,
                         "themes": list(call.themes or []), "opens_at": _local(call.opens_at),
                         "closes_at": _local(call.closes_at)})

    def values(self) -> dict[str, Any]:
        """Typed times are in the person's own time zone; services store UTC."""
        return {
            "title": self.title.data or "",
            "instructions": self.instructions.data or "",
            "themes": self.themes.data or [],
            "opens_at": _utc(self.opens_at.data),
            "closes_at": _utc(self.closes_at.data),
        }


def _utc(value: datetime | None) -> datetime | None:
    return to_utc(value) if value is not None else None


def _local(value: datetime | None) -> datetime | None:
    """Stored naive UTC to the naive local time a datetime-local field shows."""
    return to_user_timezone(value).replace(tzinfo=None) if value is not None else None
