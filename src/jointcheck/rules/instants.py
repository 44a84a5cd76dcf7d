"""An instant as a pack sees it: whether the pack is in force, the local day, the ISO text.

Every decision needs the three, and converting an aware ``datetime`` (its timestamp, its date
in the pack's time zone, its text) costs more than the rest of the decision's arithmetic. A
checkpoint decides many people within one local day, and a simulation a whole district at one
instant, so the pack keeps what it last found (``PolicyPack.instants``):

- the last instant and its answer: asked again about the same object, the answer is at hand;
- a stretch of time around it, within one UTC hour and one local day, over which the pack's
  validity does not change: a later instant with the same fixed UTC offset (a checkpoint's
  clock gives UTC) that falls in it is placed by two comparisons, and its text is the
  stretch's date and hour followed by its own minutes, seconds and microseconds.

Each slot is replaced whole, so concurrent callers never see half an update.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jointcheck.rules.policy import PolicyPack

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_HOUR = timedelta(hours=1)
_TWO_DIGITS = tuple(f"{n:02d}" for n in range(60))
_THREE_DIGITS = tuple(f"{n:03d}" for n in range(1000))
_NOWHERE = object()  # the time zone of no instant


def new_slots() -> list[Any]:
    """Return the empty slots a pack keeps its last instant and stretch in."""
    return [(None, None), (_NOWHERE, None, None, False, None, None, None)]


def local_time(pack: PolicyPack, at: datetime) -> tuple[bool, date, str]:
    """Return whether ``pack`` is in force at ``at``, the day of ``at`` in its zone, and its text.

    In force means ``pack.in_force(at)``; the text is ``at.isoformat()``.
    """
    slots = pack.instants
    last = slots[0]
    if last[0] is at:
        found: tuple[bool, date, str] = last[1]
        return found
    zone, start, end, in_force, day, prefix, suffix = slots[1]
    # Datetimes with one fixed offset compare field by field, as cheaply as numbers.
    if at.tzinfo is zone and type(at) is datetime and start <= at < end:
        if prefix is None:
            text = at.isoformat()
        elif micro := at.microsecond:
            text = (f"{prefix}{_TWO_DIGITS[at.minute]}:{_TWO_DIGITS[at.second]}."
                    f"{_THREE_DIGITS[micro // 1000]}{_THREE_DIGITS[micro % 1000]}{suffix}")
        else:
            text = f"{prefix}{_TWO_DIGITS[at.minute]}:{_TWO_DIGITS[at.second]}{suffix}"
        found = (in_force, day, text)
    else:
        found = _convert(pack, at)
    slots[0] = (at, found)
    return found


def _convert(pack: PolicyPack, at: datetime) -> tuple[bool, date, str]:
    moment = at.timestamp()
    in_force = pack.valid_from_ts <= moment < pack.valid_until_ts
    local = at.astimezone(pack.timezone)
    day = local.date()
    text = at.isoformat()
    zone = at.tzinfo
    if type(zone) is timezone and type(at) is datetime:
        stretch = _stretch(pack.timezone, local, moment)
        if stretch is not None:
            start, end = stretch
            if not (start < pack.valid_from_ts < end or start < pack.valid_until_ts < end):
                prefix, suffix = _text_parts(at, text)
                pack.instants[1] = (zone, datetime.fromtimestamp(start, zone),
                                    datetime.fromtimestamp(end, zone), in_force, day, prefix,
                                    suffix)
    return in_force, day, text


def _stretch(zone: tzinfo, local: datetime, moment: float) -> tuple[int, int] | None:
    # The whole seconds around ``moment`` that share its local day: the day cut to the UTC
    # hour of ``moment``, provided the zone's offset is the same at both ends (no zone changes
    # its offset twice within an hour, so it is the same throughout); else none.
    offset = local.utcoffset()
    if offset is None or offset.microseconds:
        return None
    midnight = (local.toordinal() - _EPOCH_ORDINAL) * 86400 - int(offset.total_seconds())
    hour = int(moment // 3600) * 3600
    start, end = max(midnight, hour), min(midnight + 86400, hour + 3600)
    if _offset_at(zone, start) != offset or _offset_at(zone, end - 1) != offset:
        return None
    return start, end


def _offset_at(zone: tzinfo, moment: int) -> timedelta | None:
    return datetime.fromtimestamp(moment, zone).utcoffset()


def _text_parts(at: datetime, text: str) -> tuple[str | None, str | None]:
    # Within one UTC hour, an offset of whole hours keeps the date and the hour of the text
    # ("2021-09-10T02:") and its offset ("+00:00"); any other offset: no parts, isoformat().
    offset = at.utcoffset()
    if offset is None or offset % _HOUR:
        return None, None
    return text[:14], text[26:] if at.microsecond else text[19:]
