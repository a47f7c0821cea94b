"""The Spending page's ledger (pipeline/read/ledger.py): claims as an analyst reads them and claims over time, on
the claims the stage groups from the seed store and from real sentences."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.read import ledger
from pipeline.stages import claims
from test_claims import SAME_PLEDGE, _figures


def test_seed_store_thousands_of_is_a_claim_without_a_value(seed_store):
    from pipeline.read.tables import load_tables

    table = ledger.ledger_table(load_tables(seed_store)["claims"])
    vague = table[table["amount"].str.startswith("thousands of")]
    assert len(vague) == 1
    row = vague.iloc[0]
    assert row["vague"] and pd.isna(row["value"]) and row["value_low"] == 2000 and pd.isna(row["value_eur"])
    assert row["amount"] == "thousands of additional armored vehicles"


def test_seed_store_gdp_parts_point_at_their_total(seed_store):
    from pipeline.read.tables import load_tables

    table = ledger.ledger_table(load_tables(seed_store)["claims"])
    shares = table[table["kind"] == "pct_gdp"].set_index("amount")
    assert shares.loc["3.5% of GDP", "part_of"] == "part of 5% of GDP"
    assert shares.loc["1.5% of GDP", "part_of"] == "part of 5% of GDP"
    assert shares.loc["5% of GDP", "part_of"] == ""


def test_claims_over_time_counts_each_claim_once_and_never_sums_a_vague_one():
    figs, arts = _figures(SAME_PLEDGE + [("d", "2022-10-05", "Russia has sent thousands of troops and hundreds of "
                                                              "millions of dollars of equipment.")])
    table, _ids = claims.group(figs, arts)
    by_month = ledger.claims_over_time(table).set_index("period")
    assert by_month.loc["2022-04", "claims"] == 1
    assert by_month.loc["2022-04", "total_eur"] == pytest.approx(table[table["value"] == 800e6]["value_eur"].iloc[0])
    october = table[table["first_date"].str.startswith("2022-10")]
    assert october["vague"].sum() >= 1
    assert by_month.loc["2022-10", "total_eur"] == pytest.approx(table[table["value"] == 625e6]["value_eur"].iloc[0])
