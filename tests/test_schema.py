"""The declared schema: what it accepts, what it refuses (clearly), and the facts it holds in one place."""
import numpy as np
import pandas as pd
import pytest

from pipeline import schema

ROW = {"article_id": "a" * 16, "kind": "money", "value": 1.5, "unit": "EUR", "start": 3, "end": 9, "text": "€1.5bn"}


def test_every_stored_table_has_its_key_first_and_not_nullable():
    for table in schema.TABLES.values():
        key = table.by_name[table.key]
        assert {c.dtype for c in table.columns} <= set(schema.SQL_TYPES)
        if not table.stored_columns:   # a table grouped on read (claims): nothing of it is stored
            assert not key.nullable and not any(c.stored for c in table.columns), table.name
            continue
        assert not key.nullable and key.stored, table.name


def test_claims_are_an_exported_table_grouped_on_read_and_figures_get_their_claim_id():
    assert "claims" in schema.EXPORT_TABLES and schema.table("claims").stored_columns == []
    assert "claim_id" in schema.columns("figures") and "claim_id" not in schema.stored_columns("figures")
    with pytest.raises(schema.SchemaError, match="figures: columns not in the schema: claim_id"):
        schema.validate("figures", pd.DataFrame([{**ROW, "claim_id": "c0123456789"}]))


def test_articles_are_read_with_their_cluster_which_is_not_stored():
    assert "cluster_id" in schema.columns("articles")
    assert "cluster_id" not in [c.name for c in schema.table("articles").stored_columns]
    with pytest.raises(schema.SchemaError, match="articles: columns not in the schema: cluster_id"):
        schema.validate("articles", pd.DataFrame([{"article_id": "a" * 16, "cluster_id": 3}]))


def test_numbers_with_gaps_and_whole_floats_fit_an_int_column():
    frame = pd.DataFrame([{**ROW, "year": 2025.0}, {**ROW, "year": None}, {**ROW, "year": np.int64(2024)}])
    schema.validate("figures", frame)
    schema.validate("figures", pd.DataFrame([{**ROW, "vague": True}, {**ROW, "vague": np.bool_(False)}]))


@pytest.mark.parametrize("column, value, expected", [
    ("year", "2025", "str '2025', expected int"),
    ("year", 2025.5, "float 2025.5, expected int"),
    ("value", "1.5", "str '1.5', expected float"),
    ("unit", 978, "int 978, expected str"),
    ("vague", 2, "float 2.0, expected bool"),
])
def test_a_value_of_the_wrong_type_is_named_with_its_table_column_and_row(column, value, expected):
    frame = pd.DataFrame([ROW, {**ROW, column: value}])
    with pytest.raises(schema.SchemaError, match=f"figures.{column}: row 1 holds {expected}"):
        schema.validate("figures", frame)


def test_an_effective_date_is_the_own_date_else_the_inferred_year():
    assert schema.effective_date({"date": "2025-06-24", "date_inferred": "2025"}) == "2025-06-24"
    assert schema.effective_date({"date": "", "date_inferred": "2025"}) == "2025"
    assert schema.effective_date({"date": None, "date_inferred": float("nan")}) is None
    frame = pd.DataFrame({"date": ["2025-06-24", "", None], "date_inferred": ["2024", "2025", None]})
    assert schema.effective_dates(frame).tolist() == ["2025-06-24", "2025", ""]


def test_the_modality_weights_are_said_as_the_stage_applies_them():
    from pipeline.read import tension
    from pipeline.stages import signals

    weights = schema.signal_weights()
    assert signals.MODALITY_WEIGHTS == {m: w for m, w in weights.items() if m != "background"}
    assert signals.BACKGROUND_FACTOR == weights["background"]
    assert "asserted 1.0, reported 0.8, negated or future 0.5, hypothetical 0.25" in tension.METHOD
    assert "counts half" in tension.METHOD
