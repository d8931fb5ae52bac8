"""Solr date math for range bounds."""
from __future__ import annotations

import datetime

import pytest

from ckanext.opengovpe.search.datemath import DateMathError, resolve

NOW = datetime.datetime(2026, 11, 21, 15, 30, 45, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("expr,expected", [
    ("NOW", NOW),
    ("NOW/DAY", datetime.datetime(2026, 11, 21, tzinfo=datetime.timezone.utc)),
    ("NOW-1DAY", NOW - datetime.timedelta(days=1)),
    ("NOW+2HOURS", NOW + datetime.timedelta(hours=2)),
    ("NOW-1YEAR/YEAR", datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)),
    ("NOW/MONTH+1MONTH", datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)),
    ("2020-02-29T00:00:00Z+1YEAR",
     datetime.datetime(2021, 2, 28, tzinfo=datetime.timezone.utc)),
    ("2020-01-01", datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)),
    # an offset PostgreSQL would refuse is read as the UTC instant it names
    ("2024-01-01T00:00:00+16:00",
     datetime.datetime(2023, 12, 31, 8, tzinfo=datetime.timezone.utc)),
])
def test_resolve(expr, expected):
    assert resolve(expr, now=NOW) == expected


@pytest.mark.parametrize("expr", [
    "", "NOW-", "NOW-1", "NOW-1FORTNIGHT", "NOW/1DAY", "yesterday",
    "NOW+9999999YEARS", "2020-13-45",
    # digits and letters outside ASCII, which str.isdigit()/isalpha() accept
    "NOW-\u00b2DAY", "NOW-\u0663DAY", "NOW-1\u1d30AY", "\u0662\u0660\u0662\u0664-01-01",
    "0001-01-01T00:00:00+01:00",
])
def test_invalid(expr):
    with pytest.raises(DateMathError):
        resolve(expr, now=NOW)
