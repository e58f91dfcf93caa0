"""How shares read in percent, on the pages and in the files: exactly, whatever a
float's error, rounded half up or, towards a target, down."""

import pytest

from feminisation.formatting import change, fraction, percent, percentage, progress_percent
from indicators.figures.stats import Row
from indicators.reports.annual import AudienceYear

PERCENT = "\u202f%"


@pytest.mark.parametrize(
    ("reached", "target", "floor", "nearest", "in_files"),
    [
        (29, 100, "29", "29", 29.0),
        (57, 100, "57", "57", 57.0),
        (58, 200, "29", "29", 29.0),
        (114, 200, "57", "57", 57.0),
        (29, 50, "58", "58", 58.0),
        (1, 8, "12", "13", 12.5),
        (9999, 10000, "99", "100", 100.0),
        (1, 3, "33", "33", 33.3),
        (2, 3, "66", "67", 66.7),
        (1, 80, "1", "1", 1.3),
    ],
)
def test_a_share_reads_exactly_in_percent(reached, target, floor, nearest, in_files):
    share = reached / target

    assert percent(share, "floor") == floor + PERCENT
    assert percent(share) == nearest + PERCENT
    assert percentage(share, decimals=1) == in_files


@pytest.mark.parametrize(
    ("reached", "target", "expected"),
    [(29, 100, 29.0), (57, 100, 57.0), (58, 200, 29.0), (29, 50, 58.0), (9999, 10000, 99.9)],
)
def test_progress_in_the_files_is_rounded_down_as_on_the_pages(reached, target, expected):
    assert progress_percent(reached, target) == expected


def test_the_reports_change_in_points_is_that_of_the_percentages_shown():
    # 1 woman of 8 reads 13 %, 12 of 100 reads 12 %: one point more, not « stable ».
    year = AudienceYear(
        current=Row(people=8, women=1, people_with_known_women=8),
        previous=Row(people=100, women=12, people_with_known_women=100),
    )

    assert year.share_change == 1


@pytest.mark.parametrize(
    ("ratio", "shown"),
    [
        (0.125, f"+13{PERCENT}"),
        (-0.125, f"\u221213{PERCENT}"),
        (0.004, "stable"),
        (0.29, f"+29{PERCENT}"),
    ],
)
def test_a_change_rounds_as_every_percentage(ratio, shown):
    assert change(ratio) == shown


def test_the_apis_shares_round_as_the_pages_to_four_decimals():
    # 29 of 100 rounded down stays 0.29 (not 0.2899); 1 of 8 is 0.125 either way.
    assert fraction(29 / 100, 4, rounding="floor") == 0.29
    assert fraction(2 / 3, 4) == 0.6667
    assert fraction(2 / 3, 4, rounding="floor") == 0.6666
