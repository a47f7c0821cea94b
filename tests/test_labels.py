"""The read side's words for identifiers and its one way of showing a date (pipeline.read.labels)."""
import pandas as pd

from pipeline.read import labels, query


def test_identifiers_read_as_words_from_the_data_files():
    assert labels.label("signal_category", "threat_ultimatum") == "Threats and ultimatums"
    assert labels.label("figure_kind", "pct_gdp") == "% of GDP"
    assert labels.label("column", "meets_2") == "Meets 2% of GDP"
    assert labels.label("modality", "hypothetical") == "Hypothetical"
    assert labels.label("signal_category", None) == "" and labels.label("figure_kind", float("nan")) == ""


def test_an_inferred_year_reads_inferred_and_an_empty_cell_reads_blank(seed_tables):
    articles = seed_tables["articles"]
    shown = dict(zip(articles["article_id"], labels.display_dates(articles)))
    assert sorted(shown.values()) == ["", "", "2021-10-22", "2022 (inferred)", "2025 (inferred)"]
    quotes = query.with_titles(seed_tables["signals"], articles)
    table = labels.for_display(quotes[["article_id", "category", "modality", "date"]], articles)
    assert "None" not in table.astype(str).to_numpy().ravel().tolist()
    assert not set(table["category"]) & set(seed_tables["signals"]["category"])
    assert set(table["date"]) <= set(shown.values())


def test_a_missing_number_is_blank_and_a_number_is_written_whole():
    frame = pd.DataFrame({"value_high": [None, 3.5], "value_eur": [1e9, None], "year": [2025, None]})
    shown = labels.for_display(frame)
    assert list(shown["Value (high)"]) == ["", "3.5"]
    assert list(shown["Value (EUR)"]) == ["1,000,000,000", ""]
    assert list(shown["year"]) == ["2025", ""]
