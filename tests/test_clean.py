"""Boilerplate and headlines on the real seed pages: page furniture never reaches the analysis."""
import pytest

from conftest import seed_path
from pipeline.clean import split_page


def page(prefix):
    return split_page(seed_path(prefix).read_text(encoding="utf-8"))


@pytest.mark.parametrize("prefix, title", [
    ("000", "NATO meeting in Brussels: One billion for new technology"),
    ("001", "Deterrence and defense: NATO wants to strengthen significantly"),
    ("002", "NATO Secretary General Details Agenda for Defense Meeting"),
    ("003", "NATO does not want new arms race with Russia"),
    ("004", "Secretary General Jens Stoltenberg calls for a fourfold enhancement of air defense systems amid tensions with Russia."),
])
def test_title_is_the_headline_not_a_banner(prefix, title):
    assert page(prefix).title == title


def test_gov_banner_and_archive_notice_are_boilerplate():
    p = page("002")
    assert "An official website of the United States Government" in p.boilerplate
    assert "Official websites use .gov" not in p.text
    assert "historical collection" not in p.text
    assert p.text.startswith("NATO Secretary General Details Agenda for Defense Meeting\nNATO defense ministers are meeting in Belgium")


def test_photo_captions_are_boilerplate_but_quotes_stay():
    p = page("002")
    assert "VIRIN" not in p.text and "Photo By" not in p.text
    assert "A man stands at a podium" not in p.text
    assert '"We must keep our technological edge," Stoltenberg said.' in p.text
    assert p.text.rstrip().endswith("we will hold a meeting of the Global Coalition to Defeat Daesh [or the Islamic State group].\"")


def test_teaser_block_with_malaysian_budget_is_boilerplate():
    p = page("003")
    assert "RM21.70 billion" in p.boilerplate
    assert "RM21.70" not in p.text and "More from Defence Notes" not in p.text and "Palantir" not in p.text
    assert p.text.rstrip().endswith("‘We will continue to strive for a more constructive relationship with Russia.’")


def test_comment_form_kicker_dateline_and_source_credit():
    p1 = page("001")
    assert "Leave a Reply" in p1.boilerplate and "Your email address" not in p1.text
    assert ("kicker", "deterrence and defense") in p1.removed
    p0 = page("000")
    assert ("dateline", "Status: 10/22/2021 2:37 p.m.") in p0.removed
    assert "source site" not in p0.text


def test_sentence_broken_over_two_lines_is_rejoined():
    assert "calls from U.S. President Donald Trump for European NATO members" in page("004").text


def test_nothing_is_lost_every_line_is_text_or_boilerplate():
    for prefix in ("000", "001", "002", "003", "004"):
        raw = seed_path(prefix).read_text(encoding="utf-8")
        p = page(prefix)
        kept = p.text + "\n" + p.boilerplate
        for line in raw.splitlines():
            assert line.strip() in kept, (prefix, line)


def test_hostile_markup_is_kept_as_text():
    p = split_page("Headline here\n<script>alert('x')</script> NATO met in Brussels on Tuesday.")
    assert "<script>alert('x')</script>" in p.text


def test_rejects_non_text():
    with pytest.raises(TypeError):
        split_page(b"bytes")


def test_site_navigation_of_a_crawled_page_is_boilerplate():
    import json

    from conftest import SHARED_DATA

    rows = [json.loads(l) for l in open(SHARED_DATA / "ukraine_war_web_crawl_2026_kjdragan" / "articles.jsonl", encoding="utf-8")]
    row = next(r for r in rows if "Katy, TX" in r["text"] and "fifth year" in r["title"])
    p = split_page(row["text"], title_hint=row["title"])
    assert "Katy, TX" not in p.text and "Loans & Mortgages" not in p.text
    assert "Four years after Russia launched its full-scale invasion of Ukraine" in p.text
    assert ("navigation", "Katy, TX") in p.removed


def test_a_page_without_headline_gets_its_first_sentence_not_a_later_menu_line():
    import json

    from conftest import SHARED_DATA

    first = json.loads(open(SHARED_DATA / "ukraine_war_news_gdelt_hellaskella33" / "articles.jsonl", encoding="utf-8").readline())
    assert first["title"] == ""
    p = split_page(first["text"])
    assert p.title == ("Emmanuel Macron has told a press conference in Berlin that he plans to hold phone talks with his "
                       "Russian counterpart Vladimir Putin on Friday to discuss the situation in Ukraine.")
    assert p.text.startswith("Emmanuel Macron has told a press conference in Berlin")
    long_first = split_page("Kyiv — " + "The talks went on for hours and covered sanctions, prisoners and the front line. " * 4 + "\nMore text.")
    assert long_first.title == "Kyiv — The talks went on for hours and covered sanctions, prisoners and the front line."
