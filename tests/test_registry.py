"""The stage registry: every stage can be found from its name, and a new per-article stage is one module, one
registry entry, its table in the schema and its tests (shown here by registering one and running it)."""
import inspect
from pathlib import Path

import pandas as pd
import pytest

from pipeline import registry, run, schema, store

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("stage", registry.STAGES, ids=lambda s: s.name)
def test_each_stage_has_its_module_tests_and_declared_table(stage):
    assert (ROOT / "pipeline" / "stages" / f"{stage.name}.py").is_file()
    assert (ROOT / "tests" / f"test_{stage.name}.py").is_file()
    assert stage.output in schema.TABLES and schema.TABLES[stage.output].stage in (stage.name, "ingest")
    if stage.extract or stage.kind == "per_article":
        params = inspect.signature(stage.module.extract).parameters
        assert list(params)[:1] == ["text"] and {"date", "mentions"} <= set(params)


def test_per_article_stages_run_after_the_stages_whose_tables_they_read():
    done = {"articles"}
    for stage in registry.per_article():
        assert set(stage.inputs) <= done, stage
        done.add(stage.output)


def test_the_cli_offers_what_the_registry_says():
    from pipeline import bench, cli

    assert set(cli.EXTRACT_STAGES) == {"actors", "signals", "figures", "dates"}
    assert set(bench.STAGES) == {"clean", "dedup", "actors", "signals", "figures", "topics"}
    assert set(registry.names("retag")) == {"signals", "figures", "topics"}
    with pytest.raises(registry.UnknownStage, match="no stage 'sentiment'"):
        registry.get("sentiment")


def test_a_new_per_article_stage_is_one_registry_entry_and_one_declared_table(monkeypatch, seed_tables, tmp_path):
    # The dates stage's extract() (every date expression of a text) registered as a per-article stage
    # writing a new table: annotate runs it, the store creates and validates its table, nothing else changes.
    table = schema.Table("date_mentions", "dates", "article_id", columns=schema._cols(
        "article_id:str! date:str date_precision:str start:int! end:int! text:str"))
    monkeypatch.setitem(schema.TABLES, "date_mentions", table)
    monkeypatch.setattr(registry, "STAGES", registry.STAGES + (
        registry.Stage("dates", "per_article", "date_mentions", ("articles",), 1),))
    articles = seed_tables["articles"]
    out = run.annotate(articles, stages=("date_mentions", "signals"))
    mentions = out["date_mentions"]
    assert list(mentions.columns) == schema.columns("date_mentions")
    assert len(mentions) > 0 and set(mentions["article_id"]) <= set(articles["article_id"])
    text = dict(zip(articles["article_id"], articles["text"]))
    assert all(text[a][s:e] == t for a, s, e, t in zip(mentions["article_id"], mentions["start"], mentions["end"], mentions["text"]))
    assert out["signals"].equals(run.annotate(articles, stages=("signals",))["signals"])
    store.write(tmp_path / "s", upsert={"articles": articles.drop(columns=["cluster_id"]), "date_mentions": mentions})
    assert len(store.read(tmp_path / "s", "date_mentions")) == len(mentions)
    assert store.check(tmp_path / "s") == []


def test_every_table_a_stage_reads_reaches_its_extract():
    """Each per-article stage's inputs are the text or a table some earlier stage writes, passed by the keyword the
    registry names; its extract takes that keyword."""
    for stage in registry.per_article():
        params = inspect.signature(stage.module.extract).parameters
        for table in stage.inputs:
            if table == "articles":
                continue
            assert table in registry.INPUT_ARGUMENTS, f"{stage.name} reads {table}: how is it passed?"
            assert registry.INPUT_ARGUMENTS[table] in params, stage.name
