"""Moments in UK time, for tests that pin exact dates."""

import datetime as dt

from referrals.deadlines import UK


def uk(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UK)
