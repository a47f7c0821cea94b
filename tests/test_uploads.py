"""Uploads from the browser: a mixed set of files into a session's own copy of the store, with a per-file report."""
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import gdelt_articles
from pipeline import run, store, uploads

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def real_articles(n: int = 4) -> list[dict]:
    """``n`` real Ukraine-war news articles of 1.2–2.5k characters (GDELT corpus excerpt in tests/fixtures/news)."""
    frame = pd.DataFrame(gdelt_articles())
    frame = frame[frame["text"].str.len().between(1200, 2500)].head(n)
    return [{"title": t.split("\n")[0][:80], "text": t, "date": str(d)[:10]} for t, d in zip(frame["text"], frame["date"])]


def mixed_upload_files(xss: str | None = None) -> list[tuple[str, bytes]]:
    """A mixed folder as uploaded: .txt, .csv (one good row, one empty), .jsonl, .html, a .zip holding a seed
    (a duplicate of the store) and an empty file, and an empty .txt. ``xss`` adds a script-bearing .html page."""
    a, b, c, d = real_articles(4)
    csv_buf = io.StringIO()
    pd.DataFrame([{"title": b["title"], "text": b["text"], "date": b["date"]},
                  {"title": "Empty row", "text": "", "date": ""}]).to_csv(csv_buf, index=False)
    page = (f"<html><head><title>{d['title']}</title></head><body><article>"
            + "".join(f"<p>{p}</p>" for p in d["text"].split("\n") if p.strip()) + "</article></body></html>")
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        seed = next((PROJECT_ROOT / "seeds").glob("000_*.txt"))
        z.writestr("inner/seed_copy.txt", seed.read_bytes())
        z.writestr("inner/empty.txt", b"")
    files = [
        ("nato_talks.txt", (a["title"] + "\n\n" + a["text"]).encode("utf-8")),
        ("two_rows.csv", csv_buf.getvalue().encode("utf-8")),
        ("one.jsonl", (json.dumps(c) + "\n").encode("utf-8")),
        ("page.html", page.encode("utf-8")),
        ("bundle.zip", zbuf.getvalue()),
        ("notes.txt", b"   \n"),
    ]
    if xss:
        files.append(("hostile.html", xss.encode("utf-8")))
    return files


@pytest.fixture(scope="module")
def uploaded(seed_store):
    shared_before = store.counts(seed_store)
    target = uploads.session_store(seed_store)
    ticks = []
    report = uploads.ingest_uploads(mixed_upload_files(), target, progress=lambda s, d, t: ticks.append((s, d, t)))
    return seed_store, shared_before, target, report, ticks


def test_session_store_is_a_copy_and_the_shared_store_is_untouched(uploaded):
    seed_store, before, target, report, _ = uploaded
    assert target != seed_store
    assert store.counts(seed_store) == before
    assert len(run.load_tables(target)["articles"]) == before["articles"] + report.count("added") + report.count("near_duplicate")


def test_report_has_one_row_per_input_with_reasons(uploaded):
    *_, report, _ = uploaded
    table = uploads.upload_report(report).set_index("input")
    assert table.loc["nato_talks.txt", "status"] == "added"
    assert table.loc["page.html", "status"] == "added"
    assert table.loc["notes.txt", "status"] == "rejected" and table.loc["notes.txt", "reason"]
    dup = table[table.index.str.contains("seed_copy")]
    assert list(dup["status"]) == ["duplicate"] and "same" in dup["reason"].iloc[0]
    csv_rows = table[table.index.str.startswith("two_rows.csv")]
    assert sorted(csv_rows["status"]) == ["added", "rejected"]
    assert (table["status"] == "rejected").sum() >= 3
    assert all(table.loc[table["status"] == "rejected", "reason"].str.len() > 0)


def test_added_articles_are_annotated_and_clustered(uploaded):
    *_, target, report, _ = uploaded
    tables = run.load_tables(target)
    added = {r.article_id for r in report.results if r.status == "added"}
    assert added <= set(tables["actor_mentions"]["article_id"])
    assert set(tables["articles"].loc[tables["articles"]["article_id"].isin(added), "cluster_id"]) != set()


def test_progress_runs_through_every_stage(uploaded):
    *_, ticks = uploaded
    assert [s for s in ("ingest", "annotate", "topics") if any(t[0] == s for t in ticks)] == ["ingest", "annotate", "topics"]
    fractions = [uploads.progress_fraction(*t) for t in ticks]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


# ---------------------------------------------------------------- session stores are disposable

def _aged_store(root, name: str, age_hours: float, now: float):
    import os

    folder = root / f"{uploads.SESSION_PREFIX}{name}"
    folder.mkdir()
    (folder / "store.sqlite").write_bytes(b"x")
    then = now - age_hours * 3600
    os.utime(folder / "store.sqlite", (then, then))
    os.utime(folder, (then, then))
    return folder


def test_cleanup_deletes_stores_unused_for_too_long(tmp_path):
    now = 1_800_000_000.0
    old = _aged_store(tmp_path, "old", 13, now)
    fresh = _aged_store(tmp_path, "fresh", 1, now)
    other = tmp_path / "not-a-session-store"
    other.mkdir()
    removed = uploads.cleanup_session_stores(tmp_path, max_age_hours=12, now=now)
    assert removed == [old]
    assert not old.exists() and fresh.exists() and other.exists()


def test_cleanup_bounds_the_number_of_stores_keeping_the_most_recent_and_the_spared(tmp_path):
    now = 1_800_000_000.0
    stores = [_aged_store(tmp_path, f"s{i}", age_hours=i, now=now) for i in range(5)]   # s0 newest
    removed = uploads.cleanup_session_stores(tmp_path, max_age_hours=100, max_stores=2, keep=[stores[4]], now=now)
    assert sorted(p.name for p in removed) == [stores[2].name, stores[3].name]
    assert [p.exists() for p in stores] == [True, True, False, False, True]


def test_touch_keeps_a_store_in_use(tmp_path):
    import time

    store_dir = _aged_store(tmp_path, "busy", 20, time.time())
    uploads.touch(store_dir)
    assert uploads.cleanup_session_stores(tmp_path, max_age_hours=12) == []
    assert store_dir.exists()


def test_new_session_stores_go_under_the_sessions_root_and_can_be_deleted(tmp_path, seed_store, monkeypatch):
    monkeypatch.setenv("NEWSINTEL_SESSION_STORES", str(tmp_path / "sessions"))
    target = uploads.session_store(seed_store)
    assert target.parent == tmp_path / "sessions" and target.name.startswith(uploads.SESSION_PREFIX)
    assert store.counts(target) == store.counts(seed_store)
    assert uploads.delete_session_store(target) and not target.exists()
    assert not uploads.delete_session_store(seed_store)   # never anything but a session store
    assert seed_store.exists()
