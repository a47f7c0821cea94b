"""The Parquet store (pipeline/store/parquet.py): a converted store reads back as the SQLite one did, a killed
writer leaves a readable store, and the dashboard opens on it."""
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import NEWS_FIXTURES, PROJECT_ROOT
from pipeline import store
from pipeline.read import ledger, tension
from pipeline.read.tables import load_tables
from pipeline.store import parquet


def _convert(sqlite_dir: Path, out: Path) -> Path:
    result = subprocess.run([sys.executable, "-m", "pipeline", "convert", "--store", str(sqlite_dir), "--to", str(out)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Parquet store written" in result.stdout
    return out


@pytest.fixture(scope="module")
def gdelt_store(tmp_path_factory) -> Path:
    """The 30 real GDELT articles of tests/fixtures/news run through the pipeline into a SQLite store."""
    from pipeline import run

    path = tmp_path_factory.mktemp("gdelt_sqlite")
    run.run([NEWS_FIXTURES / "ukraine_war_gdelt.jsonl"], path)
    return path


def _same(a: pd.DataFrame, b: pd.DataFrame, name: str) -> None:
    """Same rows and values, whatever the order of rows (nulls compared as nulls)."""
    assert list(a.columns) == list(b.columns), name
    assert len(a) == len(b), name
    key = [c for c in ("article_id", "claim_id", "cluster_id", "start", "end", "category") if c in a.columns]
    norm = lambda f: f.astype(object).where(f.notna(), None).sort_values(key).reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(norm(a), norm(b), check_dtype=False, obj=name)


@pytest.mark.parametrize("which", ["seeds", "gdelt"])
def test_converted_store_reads_back_the_same(which, seed_store, gdelt_store, tmp_path):
    sqlite_dir = seed_store if which == "seeds" else gdelt_store
    pq_dir = _convert(sqlite_dir, tmp_path / "store.parquet")
    assert parquet.is_parquet(pq_dir) and not parquet.is_parquet(sqlite_dir)
    # Partitioned by the month of each article's effective date.
    months = {p.name for p in (pq_dir / "articles").iterdir()}
    assert all(m == "month=unknown" or (len(m) == 13 and m[10] == "-") for m in months), months
    assert store.counts(pq_dir) == {k: v for k, v in store.counts(sqlite_dir).items()
                                    if k in parquet.counts(pq_dir) or v}
    a, b = load_tables(sqlite_dir), load_tables(pq_dir)
    assert set(a) == set(b)
    for name in a:
        _same(a[name], b[name], name)
    assert len(b["articles"]) > 0 and len(b["signals"]) > 0
    # What the pages compute from them: tension per period, top actors, the spending ledger.
    ta = tension.timeline(a["signals"], a["articles"], freq="M").index
    tb = tension.timeline(b["signals"], b["articles"], freq="M").index
    pd.testing.assert_frame_equal(ta.reset_index(drop=True), tb.reset_index(drop=True), check_dtype=False)
    top = lambda t: t["actor_mentions"]["actor"].value_counts().head(10).to_dict()  # noqa: E731
    assert top(a) == top(b) and top(b)
    _same(ledger.ledger_table(a["claims"]), ledger.ledger_table(b["claims"]), "ledger")


def test_month_partition_of_a_dated_seed(seed_store, tmp_path):
    pq_dir = _convert(seed_store, tmp_path / "p")
    arts = load_tables(seed_store)["articles"]
    dated = arts[arts["date"].fillna("").str.len() >= 7].iloc[0]
    part_dir = pq_dir / "articles" / f"month={dated['date'][:7]}"
    ids = pd.concat([pd.read_parquet(p) for p in part_dir.glob("part-*.parquet")])["article_id"]
    assert dated["article_id"] in set(ids)


def test_convert_refuses_a_non_empty_target_and_a_missing_store(seed_store, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    for src, dst in ((seed_store, tmp_path / "busy"), (tmp_path / "nothing", tmp_path / "new")):
        result = subprocess.run([sys.executable, "-m", "pipeline", "convert", "--store", str(src), "--to", str(dst)],
                                cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 2 and "error:" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "busy" / "keep.txt").read_text() == "mine"


_WRITER = """
import sys, pandas as pd
from pipeline.read.tables import load_tables
from pipeline.store import parquet
arts = load_tables(sys.argv[1])["articles"].drop(columns=["cluster_id"])
big = pd.concat([arts] * 400, ignore_index=True)
i = 0
while True:
    batch = big.assign(article_id=[f"{a}-{i}-{n}" for n, a in enumerate(big["article_id"])])
    parquet.write_partition({"articles": batch}, sys.argv[2])
    i += 1
"""


def test_a_killed_writer_leaves_a_readable_store(seed_store, tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(seed_store), str(out)], cwd=PROJECT_ROOT)
    try:
        deadline = time.monotonic() + 120
        while len(parquet.parts(out, "articles")) < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the writer stopped by itself"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    # Every committed part is whole: the rows of one batch's month, all of them (a part is renamed into place
    # only once written; an unfinished ".tmp-*" file is never read).
    arts = load_tables(seed_store)["articles"]
    per_month = (parquet._months(arts).values())
    expected = {m: 400 * list(per_month).count(m) for m in set(per_month)}
    for part in parquet.parts(out, "articles"):
        rows = pd.read_parquet(part)["article_id"]
        batches = {a.rsplit("-", 2)[1] for a in rows}
        assert len(batches) == 1 and len(rows) == expected[part.parent.name.removeprefix("month=")], part
    frame = store.read(out, "articles")
    assert len(frame) >= 3 * min(expected.values()) and frame["article_id"].is_unique
    assert len(frame) == store.counts(out)["articles"]


def test_the_app_opens_on_a_parquet_store(seed_store, tmp_path, monkeypatch):
    pq_dir = _convert(seed_store, tmp_path / "app.parquet")
    monkeypatch.setenv("NEWSINTEL_STORE", str(pq_dir))
    at = AppTest.from_file("../dashboard/app.py", default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    shown = "\n".join(str(m.value) for m in at.metric) + "\n".join(m.value for m in at.markdown)
    assert at.title[0].value == "NATO–Russia tension monitor"
    assert shown.strip()
    for page in ("tension", "spending", "actors", "reader"):
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, at.exception)


@pytest.mark.parametrize("which", ["seeds", "gdelt"])
def test_aggregates_pushed_down_agree_with_the_tables_on_both_backends(which, seed_store, gdelt_store, tmp_path):
    from pipeline.read import aggregate

    sqlite_dir = seed_store if which == "seeds" else gdelt_store
    pq_dir = _convert(sqlite_dir, tmp_path / "agg.parquet")
    tables = load_tables(sqlite_dir)
    kept = tables["articles"][tables["articles"]["duplicate_of"].fillna("") == ""]
    for d in (sqlite_dir, pq_dir):
        per_month = aggregate.articles_per_month(d)
        assert per_month["articles"].sum() == len(kept)
        tension_rows = aggregate.tension_per_month(d)
        assert tension_rows["signals"].sum() == len(tables["signals"])
        assert tension_rows["tension"].sum() == pytest.approx(tension.signal_scores(tables["signals"]).sum())
        top = aggregate.top_actors(d, 5)
        assert top["mentions"].tolist() == tables["actor_mentions"]["actor"].value_counts().head(5).tolist()
        page = aggregate.article_page(d, limit=3)
        assert len(page) == min(3, len(kept)) and "text" not in page.columns
    both = [aggregate.tension_per_month(d, start="2022-03", end="2022-12") for d in (sqlite_dir, pq_dir)]
    pd.testing.assert_frame_equal(both[0], both[1], check_dtype=False)
    assert all(m != "unknown" and "2022-03" <= m <= "2022-12" for m in both[1]["month"])
    pd.testing.assert_frame_equal(aggregate.top_actors(sqlite_dir, 10), aggregate.top_actors(pq_dir, 10),
                                  check_dtype=False)
