"""The Spending page's read side (pipeline/read/spending.py): the tracker table and its summaries, on the figures the
stage finds in the seed articles."""
from __future__ import annotations

from pathlib import Path

from pipeline import schema
from pipeline.read import spending
from pipeline.stages.figures import extract

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _seed_tables():
    import pandas as pd

    rows, arts = [], []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if path.name.startswith("003"):
            text = text.split("More from Defence Notes")[0]
        rows += [{"article_id": path.stem, **r} for r in extract(text)]
        arts.append({"article_id": path.stem, "title": text.splitlines()[0], "date": "2025-06-02" if path.name.startswith("004") else "2021-10-22"})
    # the tables as the store declares them (what the stage does not write is empty)
    return (pd.DataFrame(rows).reindex(columns=schema.columns("figures")),
            pd.DataFrame(arts).reindex(columns=schema.columns("articles")).astype(object))


def test_tracker_merges_repeated_figures_and_links_to_reader():
    figs, arts = _seed_tables()
    table = spending.tracker_table(figs, arts)
    euros = table[(table["kind"] == "money") & (table["unit"] == "EUR")]
    assert len(euros) == 1 and int(euros.iloc[0]["mentions"]) == 2 and euros.iloc[0]["qualifier"] == "up to"
    assert euros.iloc[0]["link"].startswith("reader?article=000_")
    counts = spending.figure_kind_counts(table).set_index("kind")
    assert counts.loc["pct_change", "figures"] == 2 and counts.loc["pct_change", "mentions"] == 3
    by_actor = spending.money_by_actor(table)
    assert by_actor.iloc[0]["total_eur"] > 0 and "NATO" in set(by_actor["actor"])
    per_period = spending.figures_over_time(table, "year")
    assert set(per_period["period"]) == {"2021", "2025"}
    assert int(per_period[(per_period["period"] == "2025") & (per_period["kind"] == "count")]["figures"].iloc[0]) == 4
    over_time = spending.money_over_time(table, "year")
    assert list(over_time["period"]) == ["2021"] and int(over_time.iloc[0]["figures"]) == 2


def test_gdp_commitments_against_targets():
    figs, arts = _seed_tables()
    shares = spending.gdp_commitments(figs, arts)
    assert sorted(shares["value"]) == [1.5, 3.5, 5]
    five = shares[shares["value"] == 5].iloc[0]
    assert bool(five["meets_2"]) and bool(five["meets_5"])
    assert not bool(shares[shares["value"] == 1.5].iloc[0]["meets_2"])
    assert spending.gdp_commitments(figs.iloc[0:0], arts).empty
