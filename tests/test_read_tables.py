"""The read side's tables (pipeline/read/tables.py): read through the declared schema, so a store that does not
fit it fails loudly instead of reading as empty columns."""
from __future__ import annotations

import shutil
import sqlite3

import pytest

from pipeline import schema, store
from pipeline.read import tables as read_side


def test_every_table_is_read_with_its_declared_columns_in_order(seed_store):
    tables = read_side.load_tables(seed_store)
    for name in read_side.READ_TABLES:
        assert list(tables[name].columns[:len(schema.columns(name))]) == schema.columns(name), name
    assert len(tables["signals"]) > 0 and tables["signals"]["category"].notna().all()


def test_a_renamed_column_in_the_store_is_a_schema_error_not_an_empty_column(seed_store, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(seed_store, copy)
    conn = sqlite3.connect(store.db_path(copy))
    conn.execute('ALTER TABLE signals RENAME COLUMN category TO kind')
    conn.commit()
    conn.close()
    with pytest.raises(schema.SchemaError) as err:
        read_side.load_tables(copy)
    message = str(err.value)
    assert "signals" in message and "category" in message and "kind" in message and "renamed" in message


def test_a_dropped_column_in_the_store_is_a_schema_error(seed_store, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(seed_store, copy)
    conn = sqlite3.connect(store.db_path(copy))
    conn.execute('ALTER TABLE figures DROP COLUMN value_eur')
    conn.commit()
    conn.close()
    with pytest.raises(schema.SchemaError, match=r"figures lacks the declared column\(s\) value_eur"):
        read_side.load_tables(copy)


def test_a_table_the_store_has_not_written_yet_reads_empty_with_its_columns(tmp_path):
    conn = store.connect(tmp_path, create=True)
    conn.close()
    frame = read_side.read_table(tmp_path, "figures")
    assert frame.empty and list(frame.columns) == schema.columns("figures")


def test_one_person_spelled_two_ways_in_two_runs_is_one_actor_across_the_store(tmp_path):
    """Issue #20: transliterations of one person not in the dictionary are aliased across the whole store, not only
    within one batch: two `run`s of two articles (Reuters spells "Podolyak", others "Podoliak")."""
    from pipeline import run
    from pipeline.ingest import RawDocument
    from pipeline.read.tables import load_tables

    first = RawDocument("a.txt", "Ukraine rejects ceasefire call\nMykhailo Podolyak, an adviser to the Ukrainian "
                        "president, said on Tuesday that Kyiv would not accept any ceasefire that left Russian troops "
                        "on Ukrainian soil. Podolyak said talks could resume only after a withdrawal.",
                        title="Ukraine rejects ceasefire call", date="2022-05-24")
    second = RawDocument("b.txt", "Kyiv says talks frozen\nMykhailo Podoliak, a senior aide to President Volodymyr "
                         "Zelensky, said negotiations with Moscow were frozen. Podoliak told reporters that Russia had "
                         "shown no interest in a settlement.", title="Kyiv says talks frozen", date="2022-05-31")
    store_dir = tmp_path / "store"
    run.run(store_dir=store_dir, documents=[first])
    run.run(store_dir=store_dir, documents=[second])
    mentions = load_tables(store_dir)["actor_mentions"]
    spelled = set(mentions.loc[mentions["actor"].str.startswith("Mykhailo Podol"), "actor"])
    assert len(spelled) == 1, spelled
    articles = mentions.loc[mentions["actor"].isin(spelled), "article_id"].nunique()
    assert articles == 2
