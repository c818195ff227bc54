"""The periods of a cadence rule inside the audit window: days (每日巡查), weeks (ISO, Monday
first), months, quarters, years, or a yearly duty pinned to one month (the January annual review)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import PERIODS

__all__ = ["PERIODS", "Period", "containing", "normalise", "periods"]

# Parameters may hold the period in Chinese, as a regulation's text says it.
_ALIASES = {"日": "day", "天": "day", "每日": "day", "每天": "day", "daily": "day",
            "周": "week", "每周": "week", "月": "month", "每月": "month", "季": "quarter", "季度": "quarter",
            "每季度": "quarter", "年": "year", "每年": "year", "weekly": "week", "monthly": "month",
            "quarterly": "quarter", "yearly": "year", "annual": "year"}


@dataclass(frozen=True)
class Period:
    """One period: its label (``2026-03-05``, ``2026-W05``, ``2026-03``, ``2026-Q1``, ``2026``) and
    its days."""

    label: str
    start: dt.date
    end: dt.date


def normalise(value: object) -> str | None:
    """One of PERIODS from a rule or parameter value (also in Chinese: 每日, 每月, ...), or None."""
    text = str(value).strip().lower()
    if text in PERIODS:
        return text
    return _ALIASES.get(text)


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def containing(kind: str, day: dt.date, pin: int | None = None) -> Period:
    """The period of this kind holding ``day`` (a yearly duty pinned to month ``pin``)."""
    if kind == "day":
        return Period(day.isoformat(), day, day)
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        iso = start.isocalendar()
        return Period(f"{iso.year}-W{iso.week:02d}", start, start + dt.timedelta(days=6))
    if kind == "month":
        return Period(f"{day.year}-{day.month:02d}", day.replace(day=1), _month_end(day.year, day.month))
    if kind == "quarter":
        q = (day.month - 1) // 3
        return Period(f"{day.year}-Q{q + 1}", dt.date(day.year, 3 * q + 1, 1), _month_end(day.year, 3 * q + 3))
    if pin:
        return Period(f"{day.year}-{pin:02d}", dt.date(day.year, pin, 1), _month_end(day.year, pin))
    return Period(f"{day.year}", dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))


def periods(kind: str, start: dt.date, as_of: dt.date, *, pin: int | None = None) -> list[Period]:
    """Every period inside the audit window ``start``..``as_of``: begun on or after ``start``
    and ended by ``as_of`` (a period only partly audited is not required)."""
    out: list[Period] = []
    if start > as_of:
        return out
    year_start = start if kind != "year" else dt.date(start.year, 1, 1)
    day = year_start
    while day <= as_of:
        p = containing(kind, day, pin if kind == "year" else None)
        if p.start >= start and p.end <= as_of and (not out or out[-1] != p):
            out.append(p)
        day = (p.end if kind != "year" else dt.date(day.year, 12, 31)) + dt.timedelta(days=1)
    return out
