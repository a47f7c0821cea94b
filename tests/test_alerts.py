"""Watchlists and alerts: saved queries, new matches alerted once, Atom/Markdown/webhook delivery (real local server)."""
from __future__ import annotations

import json
import shutil
import socket
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import gdelt_articles
from pipeline import alerts
from pipeline.ingest import RawDocument
from pipeline.read import search


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    from pipeline import run

    path = tmp_path_factory.mktemp("alerts_store")
    docs = [RawDocument(a["id"], a["text"], title=a["title"], date=a["date"][:10], source=a["country"])
            for a in gdelt_articles()[:20]]
    run.run(store_dir=path, documents=docs, stages=False)
    return path


@pytest.fixture
def store_dir(base_store, tmp_path):
    shutil.copytree(base_store, tmp_path / "s")
    return tmp_path / "s"


class Hook:
    """A real HTTP server on 127.0.0.1 recording the JSON it receives; ``mode`` decides its answer."""

    def __init__(self, mode: str = "ok"):
        self.mode, self.received, self.keys, self.calls = mode, [], [], 0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                hook.calls += 1
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.mode == "slow":
                    time.sleep(2.0)
                if hook.mode == "500" or (hook.mode == "flaky" and hook.calls == 1):
                    self.send_response(500)
                    self.end_headers()
                    return
                hook.received.append(json.loads(body))
                hook.keys.append(self.headers["Idempotency-Key"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_new_matches_are_alerted_once_and_marked_read(store_dir):
    alerts.save(store_dir, "Macron", "Macron")
    expected = search.matching_ids(store_dir, "Macron")
    assert alerts.evaluate(store_dir) == {"Macron": len(expected)} and expected
    assert alerts.evaluate(store_dir) == {"Macron": 0}
    table = alerts.alerts(store_dir, "Macron")
    assert set(table["article_id"]) == expected and (table["read"] == 0).all()
    assert alerts.mark_read(store_dir, "Macron") == len(expected)
    assert alerts.alerts(store_dir, "Macron", unread_only=True).empty
    assert alerts.get(store_dir, "Macron").read_at


def test_a_bad_query_or_name_is_refused_and_nothing_saved(store_dir):
    with pytest.raises(search.QueryError):
        alerts.save(store_dir, "bad", '"unclosed')
    with pytest.raises(ValueError):
        alerts.save(store_dir, "  ", "NATO")
    with pytest.raises(ValueError):
        alerts.save(store_dir, "x", "NATO", webhook_url="file:///etc/passwd")
    assert alerts.watchlists(store_dir) == []


def test_atom_feed_and_markdown_digest_files(store_dir, tmp_path):
    atom, digest = tmp_path / "out" / "nato.xml", tmp_path / "out" / "nato.md"
    alerts.save(store_dir, "NATO <watch>", "NATO", atom_path=str(atom), digest_path=str(digest))
    n = alerts.evaluate(store_dir)["NATO <watch>"]
    alerts.deliver(store_dir)
    root = ET.parse(atom).getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == n > 0 and root.find("a:title", ns).text.startswith("NATO <watch>")
    text = digest.read_text()
    assert f"{n} unread of {n} alerts" in text and text.count("\n- ") == n and "<watch>" not in text


def test_webhook_posts_each_alert_once(store_dir):
    hook = Hook("ok")
    try:
        alerts.save(store_dir, "Putin", "Putin AND Macron", webhook_url=hook.url)
        n = alerts.evaluate(store_dir)["Putin"]
        assert alerts.deliver(store_dir) == {"sent": n, "failed": 0} and n
        assert alerts.deliver(store_dir) == {"sent": 0, "failed": 0}
        assert {r["article_id"] for r in hook.received} == search.matching_ids(store_dir, "Putin AND Macron")
        assert len(set(hook.keys)) == n and all(r["watchlist"] == "Putin" for r in hook.received)
    finally:
        hook.close()


def test_webhook_retries_a_500_then_succeeds(store_dir):
    hook = Hook("flaky")
    try:
        alerts.save(store_dir, "Scholz", "Scholz", webhook_url=hook.url)
        n = alerts.evaluate(store_dir)["Scholz"]
        assert alerts.deliver(store_dir, backoff=0.05)["sent"] == n and hook.calls == n + 1
    finally:
        hook.close()


def test_webhook_500_slow_and_refused_fail_and_wait_for_the_next_cycle(store_dir):
    for mode in ("500", "slow"):
        hook = Hook(mode)
        try:
            ok, detail = alerts.post_webhook(hook.url, {"x": 1}, key="k", timeout=0.5, retries=1, backoff=0.05)
            assert not ok and ("HTTP 500" in detail if mode == "500" else "timed out" in detail) and "2 attempts" in detail
        finally:
            hook.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    url = f"http://127.0.0.1:{port}/hook"
    ok, detail = alerts.post_webhook(url, {"x": 1}, key="k", timeout=0.5, retries=2, backoff=0.01)
    assert not ok and "refused" in detail.lower() and "3 attempts" in detail
    alerts.save(store_dir, "NATO", "NATO", webhook_url=url)
    alerts.evaluate(store_dir)
    assert alerts.deliver(store_dir, timeout=0.5, retries=0) == {"sent": 0, "failed": 1}
    hook = Hook("ok")
    try:
        alerts.save(store_dir, "NATO", "NATO", webhook_url=hook.url)  # the endpoint is back
        sent = alerts.deliver(store_dir)["sent"]
        assert sent == len(search.matching_ids(store_dir, "NATO")) == len(hook.received)
    finally:
        hook.close()


def test_signal_figure_and_anachronism_alerts_follow_the_tables(seed_store, tmp_path):
    from pipeline.read.tables import load_tables

    own = tmp_path / "store"
    shutil.copytree(seed_store, own)
    t = load_tables(own)
    alerts.save(own, "all", "NATO OR Russia", min_signal_weight=0.0)
    alerts.save(own, "strong only", "NATO OR Russia", min_signal_weight=1.01)  # above every weight
    alerts.evaluate(own)
    ids = search.matching_ids(own, "NATO OR Russia")
    got = alerts.alerts(own, "all")
    by_kind = {k: set(g["article_id"]) for k, g in got.groupby("kind")}
    assert by_kind["article"] == ids
    assert by_kind["signal"] == set(t["signals"]["article_id"]) & ids
    assert by_kind["figure"] == set(t["figures"]["article_id"]) & ids
    flagged = t["actor_mentions"].loc[t["actor_mentions"]["anachronism"].fillna("") != "", "article_id"]
    assert by_kind.get("anachronism", set()) == set(flagged) & ids
    assert "signal" not in set(alerts.alerts(own, "strong only")["kind"])


def test_an_alerts_date_is_shown_as_on_every_page_an_inferred_year_marked(seed_store, tmp_path):
    from pipeline.read.labels import display_date
    from pipeline.read.tables import load_tables

    own = tmp_path / "store"
    shutil.copytree(seed_store, own)
    alerts.save(own, "summits", "summit")
    alerts.evaluate(own)
    got = alerts.alerts(own, "summits")
    articles = load_tables(own)["articles"].set_index("article_id")
    for aid, date in zip(got["article_id"], got["date"]):
        assert date == display_date(articles.loc[aid])
    assert "2025 (inferred)" in set(got["date"])     # seed 004 speaks of the summit in The Hague as upcoming


def test_a_tension_spike_is_alerted_once_when_the_articles_that_make_it_arrive(tmp_path):
    """Real GDELT articles of January-February 2022, run in two batches into one store: the tension index of
    the watchlist's selection has no spike up to 31 January; the articles of 3 February make one (the same
    rule as the Tension page: daily net tension per article at least 2 standard deviations above the 7
    previous days with articles), and only the articles behind it are alerted, once."""
    from pipeline import run
    from pipeline.read import tension
    from pipeline.read.tables import load_tables

    def docs(articles):
        return [RawDocument(a["id"], a["text"], title=a["title"], date=a["date"][:10], source=a["country"])
                for a in articles]

    january = [a for a in gdelt_articles() if a["date"] < "2022-02-01"]
    later = [a for a in gdelt_articles() if "2022-02-01" <= a["date"] < "2022-02-06"]
    store_dir = tmp_path / "store"
    run.run(store_dir=store_dir, documents=docs(january))
    alerts.save(store_dir, "Russia and Ukraine", "Russia OR Ukraine OR Kremlin OR Kyiv OR NATO", min_signal_weight=0.0)
    alerts.evaluate(store_dir)
    assert "spike" not in set(alerts.alerts(store_dir, "Russia and Ukraine")["kind"])

    run.run(store_dir=store_dir, documents=docs(later))
    new = alerts.evaluate(store_dir)
    got = alerts.alerts(store_dir, "Russia and Ukraine")
    spiked = set(got.loc[got["kind"] == "spike", "article_id"])
    t = load_tables(store_dir)
    matched = search.matching_ids(store_dir, "Russia OR Ukraine OR Kremlin OR Kyiv OR NATO")
    selection = t["articles"].loc[t["articles"]["article_id"].isin(matched)]
    index = tension.timeline(t["signals"].loc[t["signals"]["article_id"].isin(matched)], selection).index
    [spike_day] = list(index.loc[index["spike"], "period"])
    assert str(spike_day.date()) == "2022-02-03"
    on_spike_day = set(selection.loc[selection["date"] == "2022-02-03", "article_id"])
    assert spiked == on_spike_day and spiked
    assert new["Russia and Ukraine"] >= len(spiked)
    assert alerts.evaluate(store_dir)["Russia and Ukraine"] == 0        # a spike is alerted once
    assert "Tension spike" == alerts.KIND_LABELS["spike"]


def test_the_monitoring_tables_are_the_ones_the_schema_declares(store_dir):
    import sqlite3

    from pipeline import schema, store, watch

    alerts.save(store_dir, "nato", "NATO")
    alerts.evaluate(store_dir)
    watch._save_state(store_dir, "http://127.0.0.1:9/feed.xml", failures=1)   # the watcher's back-off state
    with sqlite3.connect(store.db_path(store_dir)) as conn:
        for name in ("watchlists", "alerts", "deliveries", "watch_feeds"):
            stored = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
            assert stored == schema.stored_columns(name), name
        conn.execute("INSERT INTO watchlists (name, query, created_at) VALUES ('defaults', 'x', 'now')")
        row = conn.execute("SELECT filters, min_signal_weight FROM watchlists WHERE name = 'defaults'").fetchone()
    assert row == ("{}", 0.75)                     # the declared defaults
    assert {"watchlists", "alerts", "deliveries", "watch_feeds"} <= set(schema.SQL_TABLES)
    assert not {"watchlists", "alerts", "deliveries", "watch_feeds"} & set(schema.EXPORT_TABLES)


def test_a_store_whose_watchlists_were_created_before_the_schema_declared_them_still_works(tmp_path, base_store):
    """Stores of the first monitoring release created these tables with their own DDL: same shape, no migration."""
    import sqlite3

    from pipeline import store

    shutil.copytree(base_store, tmp_path / "s")
    with sqlite3.connect(store.db_path(tmp_path / "s")) as conn:
        conn.execute("CREATE TABLE watchlists (watchlist_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
                     "query TEXT NOT NULL, filters TEXT NOT NULL DEFAULT '{}', atom_path TEXT DEFAULT '', "
                     "digest_path TEXT DEFAULT '', webhook_url TEXT DEFAULT '', created_at TEXT NOT NULL, "
                     "read_at TEXT DEFAULT '')")            # (min_signal_weight came later)
        conn.execute("INSERT INTO watchlists (name, query, created_at) VALUES ('old', 'NATO', 'then')")
    assert alerts.get(tmp_path / "s", "old").min_signal_weight == 0.75
    assert alerts.evaluate(tmp_path / "s")["old"] > 0
