"""Boilerplate and headlines on the real seed pages: page furniture never reaches the analysis."""
import pytest

from conftest import crawled_pages, gdelt_articles, seed_path
from pipeline.stages.clean import split_page


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
    rows = crawled_pages()
    row = next(r for r in rows if "Katy, TX" in r["text"] and "fifth year" in r["title"])
    p = split_page(row["text"], title_hint=row["title"])
    assert "Katy, TX" not in p.text and "Loans & Mortgages" not in p.text
    assert "Four years after Russia launched its full-scale invasion of Ukraine" in p.text
    assert ("navigation", "Katy, TX") in p.removed


def test_a_page_without_headline_gets_its_first_sentence_not_a_later_menu_line():
    first = gdelt_articles()[0]
    assert first["title"] == ""
    p = split_page(first["text"])
    assert p.title == ("Emmanuel Macron has told a press conference in Berlin that he plans to hold phone talks with his "
                       "Russian counterpart Vladimir Putin on Friday to discuss the situation in Ukraine.")
    assert p.text.startswith("Emmanuel Macron has told a press conference in Berlin")
    long_first = split_page("Kyiv — " + "The talks went on for hours and covered sanctions, prisoners and the front line. " * 4 + "\nMore text.")
    assert long_first.title == "Kyiv — The talks went on for hours and covered sanctions, prisoners and the front line."


def _crawled_page(title_start: str) -> dict:
    return next(r for r in crawled_pages() if r["title"].startswith(title_start))


@pytest.mark.parametrize("title_start, caption_start, headline_start", [
    # "[File: …/AFP]" credit closing a caption
    ("US has given Ukraine and Russia June deadline", "A Ukrainian soldier stands in a field",
     "The United States has given Ukraine and Russia a June deadline"),
    # a caption above a "Photo Illustration by …" credit line
    ("Four years on, Russia is still paying", "Russia's President Vladimir Putin is shown in a photo illustration",
     "In the early hours of February 24 2022"),
])
def test_a_photo_caption_is_never_the_headline(title_start, caption_start, headline_start):
    page = split_page(_crawled_page(title_start)["text"])
    assert page.title.startswith(headline_start)
    assert any(label == "caption" and line.startswith(caption_start) for label, line in page.removed)
    assert caption_start not in page.text


def test_download_links_are_furniture_not_the_headline():
    page = split_page(_crawled_page("Ukraine: UK aid and humanitarian situation")["text"])
    assert page.title.startswith("On 24 February 2022 Russia invaded Ukraine")
    assert ("download_link", "* Ukraine: UK aid and humanitarian situation 2022 to 2026 (347 KB , PDF)") in page.removed


@pytest.mark.parametrize("title, headline, site", [
    ("EU announces €153 million in humanitarian aid to Ukraine and Moldova - European Civil Protection and "
     "Humanitarian Aid Operations Skip to main content",
     "EU announces €153 million in humanitarian aid to Ukraine and Moldova",
     "European Civil Protection and Humanitarian Aid Operations"),
    ("Talks with US and Ukraine were constructive but major challenges remain, Kremlin says - ABC News",
     "Talks with US and Ukraine were constructive but major challenges remain, Kremlin says", "ABC News"),
    ("Zelensky says next Russia meeting soon as Geneva talks end | News | kten.com",
     "Zelensky says next Russia meeting soon as Geneva talks end", "kten.com"),
    # no site name: a lower-case tail, or a headline too short to be one
    ("Ukraine war - live updates", "Ukraine war - live updates", ""),
    ("Russia - NATO relations", "Russia - NATO relations", ""),
])
def test_site_name_is_split_from_the_headline(title, headline, site):
    page = split_page(title + "\nThe European Commission is announcing emergency aid to Ukraine and Moldova.")
    assert (page.title, page.site) == (headline, site)
    assert page.text.split("\n")[0] == headline
