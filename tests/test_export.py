"""Exports of the current view: Excel-safe CSV (BOM, OWASP formula neutralisation) and JSON."""
import csv
import io
import json

import pandas as pd

from pipeline.read import export, query

HOSTILE = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "plain", "a=b", "€ 1 bn"]


def test_formula_cells_are_prefixed_and_others_left_alone():
    frame = pd.DataFrame({"cell": HOSTILE, "n": range(len(HOSTILE))})
    data = export.to_excel_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")          # UTF-8 BOM so Excel reads accents
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cells = [r["cell"] for r in rows]
    assert cells[:6] == ["'" + v for v in HOSTILE[:6]]
    assert cells[6:] == ["plain", "a=b", "€ 1 bn"]
    assert [r["n"] for r in rows] == [str(i) for i in range(len(HOSTILE))]   # numbers untouched


def test_negative_numbers_stay_numbers():
    data = export.to_excel_csv(pd.DataFrame({"value": [-1.5, 2.0]}))
    assert data.decode("utf-8-sig").split("\r\n")[1:] == ["-1.5", "2.0", ""]


def test_json_keeps_values_unchanged_and_nan_as_null():
    frame = pd.DataFrame({"cell": ["=1+1", None], "x": [1.0, float("nan")]})
    assert json.loads(export.to_json_records(frame)) == [{"cell": "=1+1", "x": 1.0}, {"cell": None, "x": None}]


def test_view_tables_are_every_table_as_filtered(seed_tables):
    peskov = query.apply_filters(seed_tables, query.Filters(actors=("Dmitry Peskov",)))
    tables = export.view_tables(peskov)
    assert list(tables) == ["articles", "clusters", "actor_mentions", "signals", "figures", "claims", "signal_corrections"]
    assert len(tables["articles"]) == 2
    ids = set(tables["articles"]["article_id"])
    for name in ("actor_mentions", "signals", "figures"):
        assert set(tables[name]["article_id"]) <= ids
    # the claims reported in the kept articles, no others
    assert set(tables["claims"]["claim_id"]) == set(tables["figures"]["claim_id"])
    assert set(tables["clusters"]["cluster_id"]) <= set(tables["articles"]["cluster_id"])
