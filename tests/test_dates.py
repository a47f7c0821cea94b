"""Dates from the text, with precision, never guessed; inferred years kept apart with their reason."""
import pytest

from conftest import seed_path
from pipeline.stages import dates


@pytest.mark.parametrize("text, expected", [
    ("Status: 10/22/2021 2:37 p.m.", ("2021-10-22", "day", "10/22/2021")),
    ("in Brussels, Oct. 20, 2021.", ("2021-10-20", "day", "Oct. 20, 2021")),
    ("signed on 24 February 2022 in Kyiv", ("2022-02-24", "day", "24 February 2022")),
    ("by June 2022", ("2022-06", "month", "June 2022")),
    ("published 2024-07-09T10:00", ("2024-07-09", "day", "2024-07-09")),
    ("poisoned in England on 4 March.", ("", "unknown", "4 March")),
    ("In 2018, NATO allies determined", ("2018", "year", "2018")),
])
def test_extract_dates_with_precision(text, expected):
    rows = dates.extract(text)
    assert rows, text
    r = rows[0]
    assert (r["date"], r["date_precision"], r["text"]) == expected
    assert text[r["start"]:r["end"]] == r["text"]


@pytest.mark.parametrize("text", ["COVID-19 pandemic", "the 20-year war", "VIRIN: 211020-O-D0439-006", "$2,018 million", "a 2018-strong force"])
def test_numbers_that_are_not_dates(text):
    assert [r for r in dates.extract(text) if r["date_precision"] != "unknown"] == []


def test_invalid_calendar_dates_are_not_dates():
    assert dates.extract("on 31/02/2021") == []


@pytest.mark.parametrize("prefix, expected", [
    ("000", ("2021-10-22", "day")),   # "Status: 10/22/2021" dateline
    ("002", ("2021-10-20", "day")),   # photo caption "Oct. 20, 2021"
    ("001", ("", "unknown")),         # no date on the page
    ("003", ("", "unknown")),         # "4 April" without a year
    ("004", ("", "unknown")),         # "June 24-25" without a year
])
def test_article_date_of_each_seed(prefix, expected):
    raw = seed_path(prefix).read_text(encoding="utf-8")
    dateline = [l for l in raw.splitlines() if l.startswith("Status:")]
    got = dates.article_date(raw, dateline)
    assert (got.date, got.precision) == expected


def test_year_inferred_from_upcoming_summit_with_reason():
    text = seed_path("004").read_text(encoding="utf-8")
    date, precision, reason = dates.infer_date(text)
    assert (date, precision) == ("2025", "year")
    assert "The Hague" in reason
    date, _, reason = dates.infer_date(seed_path("001").read_text(encoding="utf-8"))
    assert date == "2022" and "Madrid" in reason


def test_no_inference_from_a_meeting_that_is_not_a_summit():
    assert dates.infer_date("The meeting in The Hague was organized by Dutch Prime Minister Mark Rutte.") == ("", "unknown", "")


# Real lines from ../shared/data/ukraine_war_web_crawl_2026_kjdragan (pages crawled 2026-01/02).
@pytest.mark.parametrize("page, expected", [
    # a date the article narrates is an event, not the page's date
    ("On 24 February 2022 Russia invaded Ukraine, with forces crossing into the country from Belarus in the north, "
     "Russia in the east and Crimea in the south.", ""),
    ("In the early hours of February 24 2022, standing on the freezing roof of a hotel in Kyiv, the idea that Russia "
     "would launch a full-scale assault on Ukraine still seemed almost impossible to imagine.", ""),
    # a cue, even with a time in between
    ("Updated [hour]:[minute] [AMPM] [timezone], [monthFull] [day], [year] Updated 5:44 PM UTC, January 26, 2026",
     "2026-01-26"),
    # a byline line of its own
    ("by Katarzyna Szalajko 10:41 AM February 5, 2026", "2026-02-05"),
    # a photo caption closed by its date and credit
    ("People charge their electronic devices, get hot drinks and receive psychological support in Kyiv, Ukraine, on "
     "February 7, 2026 [Anatolii Stepanov/Reuters]", "2026-02-07"),
    # ... but not a file photo from years before
    ("Russian President Vladimir Putin hold a bilateral meeting at the G20 leaders summit in Osaka, Japan June 28, "
     "2019. REUTERS/Kevin Lamarque/File Photo Purchase Licensing Rights", ""),
    # nor a date inside a link
    ("https://www.reuters.com/world/europe/us-aims-march-peace-deal-ukraine-quick-elections-sources-say-2026-02-06/>",
     ""),
])
def test_article_date_is_a_publication_date_never_a_narrated_one(page, expected):
    assert dates.article_date(page).date == expected


def test_a_cued_date_wins_over_an_earlier_caption_date():
    page = ("Troops train near Kharkiv, Ukraine, Jan. 25, 2026. Viacheslav Onyshchenko/Global Images\n"
            "The talks resumed on Monday.\nPublished February 22, 2026")
    assert dates.article_date(page).date == "2026-02-22"
