"""The store: atomic runs (kill -9 on a real `python -m pipeline run`), readers during writes, migrations, check."""
from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import NEWS_FIXTURES, gdelt_articles
from pipeline import run, schema, store

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT / "seeds"


def snapshot(store_dir: Path) -> dict[str, list[tuple]]:
    """Every row of every table (meta and run log included), sorted: the store's whole state."""
    conn = sqlite3.connect(store.db_path(store_dir))
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()


def pipeline(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=PROJECT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def news_rows(n: int, min_chars: int, seed: int = 7) -> list[dict]:
    """``n`` distinct news-like articles of at least ``min_chars`` characters, for runs big enough to kill midway.

    Each is made of real sentences (the GDELT excerpt in tests/fixtures/news) drawn at random (none twice in one), so
    no two share more than a few sentences: none is a duplicate of another and each costs the stages real work."""
    sentences = sorted({s.strip() for a in gdelt_articles() for s in re.split(r"(?<=[.!?])\s+", a["text"])
                        if len(s.strip()) > 40})
    dates = [a["date"] for a in gdelt_articles()]
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        pool, picked, length = iter(rng.sample(sentences, len(sentences))), [], 0
        while length < min_chars:
            picked.append(next(pool))
            length += len(picked[-1]) + 1
        rows.append({"title": picked[0][:90], "text": " ".join(picked), "date": dates[i % len(dates)]})
    return rows


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory) -> Path:
    """A store made by a real, complete `python -m pipeline run seeds` (every stage)."""
    path = tmp_path_factory.mktemp("seeded") / "store"
    proc = pipeline("run", "seeds", "--store", str(path), "--quiet")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert out.startswith("5 added")
    return path


def copy_store(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    source = sqlite3.connect(store.db_path(src))
    target = sqlite3.connect(store.db_path(dst))
    source.backup(target)
    source.close()
    target.close()
    return dst


def assert_check_passes(store_dir: Path) -> None:
    proc = pipeline("check", "--store", str(store_dir))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert f"ok (schema version {store.SCHEMA_VERSION})" in out


def test_kill_9_while_the_transaction_writes(seed_store, tmp_path):
    """kill -9 once the run's transaction has started spilling to the WAL: the store is exactly as before,
    a reader saw the old state meanwhile, `check` passes and the store takes writes again."""
    store_dir = copy_store(seed_store, tmp_path / "store")
    before = snapshot(store_dir)
    big = write_jsonl(tmp_path / "news.jsonl", news_rows(700, min_chars=4000))
    wal = Path(str(store.db_path(store_dir)) + "-wal")
    proc = pipeline("run", str(big), "--store", str(store_dir), "--no-stages", "--quiet")
    seen_during_write = None
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            wal_size = wal.stat().st_size
        except FileNotFoundError:   # the WAL file comes and goes (checkpoints): not spilling yet
            wal_size = 0
        if wal_size > 500_000:
            # the app reading while the pipeline writes: the last committed state, no lock error
            reader = sqlite3.connect(store.db_path(store_dir), timeout=1)
            seen_during_write = reader.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            reader.close()
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.002)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed mid-write"
    assert seen_during_write == 5
    assert snapshot(store_dir) == before
    assert store.check(store_dir) == []
    assert_check_passes(store_dir)

    store.write(store_dir, meta={"after_kill": "writable"})  # the killed writer left no lock behind
    assert store.read_meta(store_dir)["after_kill"] == "writable"


def test_kill_9_during_the_nlp_stages(seed_store, tmp_path):
    """kill -9 while a full run annotates new articles: the store is exactly as before."""
    store_dir = copy_store(seed_store, tmp_path / "store")
    before = snapshot(store_dir)
    news = write_jsonl(tmp_path / "ukraine.jsonl", news_rows(200, min_chars=1500))
    proc = pipeline("run", str(news), "--store", str(store_dir))
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.extend(iter(lambda: proc.stderr.read(64), "")), daemon=True)
    reader.start()

    def annotated() -> int:
        """How many articles the run's annotate bar says are done (0 before it starts)."""
        return max((int(d) for d in re.findall(r"annotate:[^|]*\|[^|]*\| *(\d+)/200", "".join(stderr))), default=0)

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None and annotated() == 0:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)     # the first batch of 50 is annotated, 150 articles are still to do
    proc.wait(timeout=60)
    assert 0 < annotated() < 200, "".join(stderr)[-2000:]
    assert "annotate" in "".join(stderr)
    assert snapshot(store_dir) == before
    assert_check_passes(store_dir)


def test_failed_write_rolls_back(seed_store, tmp_path, monkeypatch):
    store_dir = copy_store(seed_store, tmp_path / "store")
    before = snapshot(store_dir)
    calls = []
    real_insert = store._insert

    def failing_insert(conn, name, frame):
        calls.append(name)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        real_insert(conn, name, frame)

    monkeypatch.setattr(store, "_insert", failing_insert)
    frame = pd.DataFrame([{"article_id": "x" * 16, "title": "t", "text": "NATO met in Vilnius on Tuesday."}])
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.write(store_dir, upsert={"articles": frame, "signatures": pd.DataFrame([{"article_id": "x" * 16, "signature": b"1"}])},
                    meta={"last_run": "broken"})
    assert snapshot(store_dir) == before


def test_migration_from_version_1(tmp_path):
    """A version-1 store (articles without url_key/author/annotated, no inputs table) is migrated on first write."""
    store_dir = tmp_path / "old"
    store_dir.mkdir()
    conn = sqlite3.connect(store.db_path(store_dir))
    conn.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE articles (article_id TEXT, title TEXT, date TEXT, date_precision TEXT, source TEXT,
                               url TEXT, text TEXT, boilerplate TEXT, content_hash TEXT, duplicate_of TEXT, origin TEXT);
        CREATE UNIQUE INDEX ix_articles_article_id ON articles (article_id);
        INSERT INTO articles VALUES ('aaaaaaaaaaaaaaaa', 'NATO meets', '2024-07-09', 'day', 'Reuters',
            'https://www.reuters.com/world/nato-meets/?utm_source=x', 'NATO leaders met in Washington on Tuesday.', '', 'h', '', 'old.txt');
    """)
    conn.commit()
    conn.close()
    assert store.schema_version(store_dir) == 1
    assert any("schema version 1" in p for p in store.check(store_dir))
    report = run.run([SEEDS / sorted(os.listdir(SEEDS))[0]], store_dir, stages=False, workers=1)
    assert report.count("added") == 1
    assert store.schema_version(store_dir) == store.SCHEMA_VERSION
    articles = store.read(store_dir, "articles").set_index("article_id")
    assert articles.loc["aaaaaaaaaaaaaaaa", "url_key"] == "reuters.com/world/nato-meets"
    assert articles.loc["aaaaaaaaaaaaaaaa", "annotated"] == 1
    assert store.check(store_dir) == []


def test_newer_schema_refused(tmp_path):
    store.write(tmp_path / "s", meta={"x": "1"})
    conn = sqlite3.connect(store.db_path(tmp_path / "s"))
    conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(store.StoreError, match="newer than this pipeline"):
        store.write(tmp_path / "s", meta={"x": "2"})


def test_check_finds_problems(seed_store, tmp_path):
    store_dir = copy_store(seed_store, tmp_path / "store")
    conn = sqlite3.connect(store.db_path(store_dir))
    aid, text_len = conn.execute("SELECT article_id, length(text) FROM articles LIMIT 1").fetchone()
    conn.execute("INSERT INTO signals (article_id, category, start, \"end\") VALUES (?, 'x', ?, ?)", (aid, text_len - 2, text_len + 40))
    conn.execute("INSERT INTO figures (article_id, kind, start, \"end\") VALUES ('nope', 'count', 0, 1)")
    conn.execute("UPDATE articles SET duplicate_of = 'ffffffffffffffff' WHERE article_id = ?", (aid,))
    conn.commit()
    conn.close()
    problems = store.check(store_dir)
    assert "signals: 1 rows with offsets outside their article's text" in problems
    assert "figures: 1 rows of unknown articles" in problems
    assert "articles: 1 near-duplicates linked to an article that is not stored" in problems
    proc = pipeline("check", "--store", str(store_dir))
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "problem: figures: 1 rows of unknown articles" in out


def test_check_on_a_corrupt_or_missing_store(tmp_path):
    assert store.check(tmp_path / "none") == [f"no store at {tmp_path / 'none'} (run `python -m pipeline run … --store {tmp_path / 'none'}` first)"]
    bad = tmp_path / "bad"
    bad.mkdir()
    store.db_path(bad).write_bytes(b"this is not a database" * 100)
    problems = store.check(bad)
    assert len(problems) == 1 and "not a usable store" in problems[0]


def test_seed_rerun_adds_nothing_and_counts(seed_store, tmp_path):
    store_dir = copy_store(seed_store, tmp_path / "store")
    before = snapshot(store_dir)
    report = run.run([SEEDS], store_dir, stages=True, workers=1)
    assert [r.status for r in report.results] == ["duplicate"] * 5
    after = snapshot(store_dir)
    for table in ("articles", "signals", "figures", "actor_mentions", "clusters", "signatures", "inputs"):
        assert after[table] == before[table], table
    assert len(after["ingest_log"]) == len(before["ingest_log"]) + 5
    assert store.counts(store_dir)["articles"] == 5


def test_signatures_of_another_scheme_are_recomputed_and_written_back(tmp_path):
    store_dir = tmp_path / "store"
    run.run([SEEDS], store_dir, stages=False, workers=1)
    conn = sqlite3.connect(store.db_path(store_dir))
    good = dict(conn.execute("SELECT article_id, signature FROM signatures").fetchall())
    conn.execute("UPDATE signatures SET signature = x'00'")
    conn.execute("UPDATE meta SET value = 'some-older-scheme' WHERE key = 'signature_scheme'")
    conn.commit()
    conn.close()
    report = run.run([SEEDS], store_dir, stages=False, workers=1)
    assert [r.status for r in report.results] == ["duplicate"] * 5
    conn = sqlite3.connect(store.db_path(store_dir))
    assert dict(conn.execute("SELECT article_id, signature FROM signatures").fetchall()) == good
    conn.close()
    assert store.read_meta(store_dir)["signature_scheme"] == run.dedup.SIGNATURE_SCHEME


# A version-2 store as the pipeline wrote it before the declared schema: each column typed from the first frame
# written, so a figures table first written with no year and no upper bound has TEXT columns for them.
V2_STORE_SQL = """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    INSERT INTO meta VALUES ('schema_version', '2');
    CREATE TABLE "articles" ("article_id" TEXT, "title" TEXT, "date" TEXT, "date_precision" TEXT, "date_evidence" TEXT,
        "date_inferred" TEXT, "date_inferred_from" TEXT, "source" TEXT, "url" TEXT, "text" TEXT, "boilerplate" TEXT,
        "content_hash" TEXT, "duplicate_of" TEXT, "origin" TEXT, "author" TEXT, "url_key" TEXT, "annotated" INTEGER);
    CREATE UNIQUE INDEX "ix_articles_article_id" ON "articles" ("article_id");
    CREATE TABLE "figures" ("article_id" TEXT, "kind" TEXT, "value" REAL, "unit" TEXT, "qualifier" TEXT, "actor" TEXT,
        "start" INTEGER, "end" INTEGER, "text" TEXT, "value_low" REAL, "value_high" TEXT, "vague" INTEGER,
        "scale_word" TEXT, "item" TEXT, "purpose" TEXT, "year" TEXT, "value_eur" REAL, "value_usd" REAL,
        "rate_date" TEXT, "sentence" TEXT, "figure_key" TEXT);
    CREATE INDEX "ix_figures_article_id" ON "figures" ("article_id");
    CREATE TABLE "signatures" ("article_id" TEXT, "signature" TEXT);
    CREATE TABLE inputs (input_key TEXT, article_id TEXT);
"""
SENTENCE = "Poland will spend 4.7% of GDP on defence in 2025, up from 4.1% to 4.2% last year."


def _v2_store(store_dir: Path) -> Path:
    store_dir.mkdir()
    conn = sqlite3.connect(store.db_path(store_dir))
    conn.executescript(V2_STORE_SQL)
    conn.execute("INSERT INTO articles (article_id, title, text, annotated) VALUES ('aaaaaaaaaaaaaaaa', 'Poland', ?, 1)",
                 (SENTENCE,))
    conn.execute("INSERT INTO figures (article_id, kind, value, unit, start, \"end\", text, year, value_high) "
                 "VALUES ('aaaaaaaaaaaaaaaa', 'pct_gdp', 4.7, '%', 18, 22, '4.7%', '2025', NULL), "
                 "('aaaaaaaaaaaaaaaa', 'pct_gdp', 4.1, '%', 57, 68, '4.1% to 4.2%', '', '4.2')")
    conn.commit()
    conn.close()
    return store_dir


def test_a_version_2_store_migrates_to_the_declared_types(tmp_path):
    store_dir = _v2_store(tmp_path / "v2")
    assert store.schema_version(store_dir) == 2
    report = run.run([SEEDS / sorted(os.listdir(SEEDS))[0]], store_dir, stages=False, workers=1)
    assert report.count("added") == 1
    assert store.schema_version(store_dir) == 3 == store.SCHEMA_VERSION
    conn = sqlite3.connect(store.db_path(store_dir))
    declared = {c.name: c.sql_type for c in schema.table("figures").stored_columns}
    assert {r[1]: r[2] for r in conn.execute('PRAGMA table_info("figures")')} == declared
    rows = conn.execute('SELECT year, typeof(year), value_high, typeof(value_high) FROM figures ORDER BY start').fetchall()
    assert rows == [(2025, "integer", None, "null"), (None, "null", 4.2, "real")]
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 2     # the old article kept, one added
    conn.close()
    figures = store.read(store_dir, "figures")
    assert figures.loc[0, "year"] == 2025 and not isinstance(figures.loc[0, "year"], str)
    assert store.check(store_dir) == []


def test_a_migration_that_meets_a_value_of_the_wrong_type_stops_and_leaves_the_store_as_it_was(tmp_path):
    store_dir = _v2_store(tmp_path / "v2")
    conn = sqlite3.connect(store.db_path(store_dir))
    conn.execute("UPDATE figures SET year = 'next year' WHERE start = 18")
    conn.commit()
    conn.close()
    before = snapshot(store_dir)
    with pytest.raises(schema.SchemaError, match=r"figures\.year .*'next year'"):
        store.write(store_dir, meta={"x": "1"})
    assert snapshot(store_dir) == before
    assert store.schema_version(store_dir) == 2


def test_tables_are_created_typed_from_the_schema_whatever_the_first_frame_holds(tmp_path):
    # the reproduction of issue 17: a first figures write whose year is None used to create a TEXT column,
    # and a later 2025 read back as the string "2025"
    row = {"article_id": "a" * 16, "kind": "pct_gdp", "value": 2.0, "unit": "%", "start": 0, "end": 2, "text": "2%"}
    store.write(tmp_path / "s", upsert={"figures": pd.DataFrame([{**row, "year": None}])})
    store.write(tmp_path / "s", upsert={"figures": pd.DataFrame([{**row, "article_id": "b" * 16, "year": 2025}])})
    years = store.read(tmp_path / "s", "figures").set_index("article_id")["year"]
    assert years["b" * 16] == 2025 and not isinstance(years["b" * 16], str)
    assert pd.isna(years["a" * 16])


def test_a_frame_of_the_wrong_type_is_refused_with_a_clear_error_and_nothing_written(seed_store, tmp_path):
    store_dir = copy_store(seed_store, tmp_path / "store")
    before = snapshot(store_dir)
    row = {"article_id": "a" * 16, "kind": "pct_gdp", "value": 2.0, "unit": "%", "start": 0, "end": 2, "text": "2%"}
    with pytest.raises(schema.SchemaError, match=r"figures\.year: row 0 holds str '2025', expected int"):
        store.write(store_dir, upsert={"figures": pd.DataFrame([{**row, "year": "2025"}])}, meta={"x": "1"})
    with pytest.raises(schema.SchemaError, match=r"signals: columns not in the schema: strength"):
        store.write(store_dir, upsert={"signals": pd.DataFrame([{"article_id": "a" * 16, "start": 0, "end": 1, "strength": 3}])})
    with pytest.raises(schema.SchemaError, match=r"actor_mentions\.start: null"):
        store.write(store_dir, upsert={"actor_mentions": pd.DataFrame([{"article_id": "a" * 16, "start": None, "end": 1}])})
    with pytest.raises(schema.SchemaError, match=r"no table 'figurez'"):
        store.write(store_dir, upsert={"figurez": pd.DataFrame([row])})
    assert snapshot(store_dir) == before


# ---- which versions of the stages wrote a store -------------------------------------------------------------

def _record_versions(store_dir, versions: dict) -> None:
    """Make the store say that these stage versions wrote it (as a store of an older pipeline would)."""
    store.write(store_dir, meta={store.STAGE_VERSIONS_KEY: json.dumps(versions)})


def test_a_store_records_the_stage_versions_that_wrote_it_and_says_which_are_stale(seed_store, tmp_path):
    from pipeline import registry
    from pipeline.read.tables import stale_stages

    assert store.stage_versions(seed_store) == registry.versions()
    assert stale_stages(seed_store) == []
    copy = tmp_path / "older"
    run.run([SEEDS], copy)
    older = {**registry.versions(), "signals": registry.get("signals").version - 1}
    _record_versions(copy, older)
    # adding articles does not make the older signals rows new: the record stays
    run.run([NEWS_FIXTURES / "ukraine_war_gdelt.jsonl"], copy)
    assert store.stage_versions(copy)["signals"] == older["signals"]
    [stale] = stale_stages(copy)
    assert (stale.stage, stale.stored, stale.current) == ("signals", older["signals"], registry.get("signals").version)
    assert stale.remedy == f"python -m pipeline retag signals --store {copy}"
    # retag rewrites the whole table: now up to date
    run.retag(copy, "signals")
    assert stale_stages(copy) == []


def test_a_store_without_a_record_is_stale_in_every_stage(seed_store, tmp_path):
    from pipeline import registry
    from pipeline.read.tables import stale_stages

    copy = tmp_path / "legacy"
    run.run([SEEDS], copy)
    with sqlite3.connect(store.db_path(copy)) as conn:
        conn.execute("DELETE FROM meta WHERE key = ?", (store.STAGE_VERSIONS_KEY,))
    stale = stale_stages(copy)
    assert [s.stage for s in stale] == [s.name for s in registry.STAGES]
    assert all(s.stored is None for s in stale)
    assert "a new store from the same sources" in next(s.remedy for s in stale if s.stage == "dates")


def test_an_analysts_watchlists_are_carried_into_a_rebuilt_store(tmp_path):
    from pipeline import alerts

    old, new = tmp_path / "old", tmp_path / "new"
    run.run([SEEDS], old)
    alerts.add_seed_watchlists(old)
    alerts.save(old, "Skripal follow-up", "Skripal OR Novichok")
    run.run([SEEDS], new)
    alerts.add_seed_watchlists(new)
    copied = store.carry_analyst_tables(old, new)
    assert copied["watchlists"] == 1          # the seed example is in both: only the analyst's own is new
    assert {w.name for w in alerts.watchlists(new)} == {w.name for w in alerts.watchlists(old)}
    assert alerts.get(new, "Skripal follow-up").query == "Skripal OR Novichok"
