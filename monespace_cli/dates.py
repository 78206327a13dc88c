"""The one reader of dates a person types, for every command, the TUI and the sheets.

Why one: ``roles grant --until`` took only ISO while ``bulk`` and ``agent
complement --due`` took ``31/12/2027``. People in Wallonia write
``dd/mm/yyyy`` (also with ``.`` or ``-``); scripts write ISO; a due date is
often "in two weeks" (``+14d``, ``+14j``). Every option, YAML file, CSV cell
and form field that takes a date goes through :func:`parse_date`, and the
commands echo what was understood with :func:`display_date` so that a
day/month mix-up is seen before anything is sent.

Light on purpose (standard library only): ``--help`` imports the command
modules that use it.
"""

from __future__ import annotations

import datetime as dt
import re

from monespace_cli.i18n import N_, _

#: Day/month/year with the usual separators: 31/12/2027, 31.12.2027, 31-12-2027.
_DMY = re.compile(r"^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
#: ``+14d`` / ``+14j`` (jours): days from today.
_RELATIVE = re.compile(r"^\+(\d{1,4})\s*[dj]$", re.IGNORECASE)


class DateError(ValueError):
    """Not a date; the message says what was typed and what is accepted."""


def parse_day(text: str, *, relative: bool = False, today: dt.date | None = None) -> dt.date:
    """The date ``text`` means: ``dd/mm/yyyy``, ISO, or ``+Nd`` when ``relative``.

    Raises :class:`DateError` (a ValueError) with a sentence for the person.
    """
    raw = text.strip()
    relative_match = _RELATIVE.match(raw) if relative else None
    if relative_match:
        return (today or dt.date.today()) + dt.timedelta(days=int(relative_match.group(1)))
    dmy = _DMY.match(raw)
    iso = _ISO.match(raw)
    if dmy:
        day, month, year = (int(g) for g in dmy.groups())
    elif iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        accepted = _("dd/mm/yyyy, YYYY-MM-DD or +Nd") if relative else _("dd/mm/yyyy or YYYY-MM-DD")
        raise DateError(
            _("{value!r} is not a date (type {accepted}).").format(value=raw, accepted=accepted)
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateError(_("{value!r} is not a date of the calendar.").format(value=raw)) from None


def parse_date(text: str, *, relative: bool = False, today: dt.date | None = None) -> str:
    """:func:`parse_day` as ISO text (``YYYY-MM-DD``), what the portal's API takes."""
    return parse_day(text, relative=relative, today=today).isoformat()


def display_date(value: dt.date | str | None) -> str:
    """``31/12/2027`` for a date or ISO text: how dates are shown back to people."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        iso = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value)
        return f"{iso.group(3)}/{iso.group(2)}/{iso.group(1)}" if iso else value
    return f"{value:%d/%m/%Y}"


_WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
_MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def spoken_date(day: dt.date) -> str:
    """``Friday 31 December 2027``: the date in words, so a day/month mix-up shows."""
    return _("{weekday} {day} {month} {year}").format(
        weekday=_(_WEEKDAYS[day.weekday()]),
        day=day.day,
        month=_(_MONTHS[day.month - 1]),
        year=day.year,
    )


def understood(option: str, text: str, iso: str) -> str:
    """``--until 31/12/2027: Friday 31 December 2027``, the echo commands print."""
    return _("{option} {value}: {date}").format(
        option=option, value=text.strip(), date=spoken_date(dt.date.fromisoformat(iso))
    )
