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
