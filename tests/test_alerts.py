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


def spike_store(store_dir, *, hot: bool = True):
    """A store of five calm days of real GDELT articles (net scores from -10 to 5, re-dated 2022-03-01…05), a
    watchlist "Tension" over them, and (``hot``) a sixth day of two strongly escalating ones added afterwards."""
    from pipeline import run

    rows = gdelt_articles()
    doc = lambda n, day: RawDocument(rows[n]["id"], rows[n]["text"], title=rows[n]["title"], date=day,  # noqa: E731
                                     source=rows[n]["country"])
    calm = [13, 20, 15, 0, 23]  # BelTA 7 Feb, "Video war Russia-Nato is likely?", ...
    run.run(store_dir=store_dir, documents=[doc(i, f"2022-03-0{n + 1}") for n, i in enumerate(calm)])
    if not alerts.watchlists(store_dir):
        alerts.save(store_dir, "Tension", "Russia OR NATO OR Ukraine", min_signal_weight=0.0)
    alerts.evaluate(store_dir)
    if hot:  # "Russian troops are bearing down on Ukraine's capital", Lukashenko's exercises (BelTA)
        run.run(store_dir=store_dir, documents=[doc(i, "2022-03-06") for i in (11, 3)])
    return store_dir


def test_a_new_tension_spike_is_alerted_once_by_the_tension_page_rule(tmp_path):
    """Five calm days, no spike alert; then a day of two strongly escalating articles: one spike alert."""
    from pipeline.read import tension
    from pipeline.read.tables import load_tables

    store_dir = spike_store(tmp_path / "s", hot=False)
    assert "spike" not in set(alerts.alerts(store_dir, "Tension")["kind"])
    spike_store(store_dir)
    t = load_tables(store_dir)
    idx = tension.timeline(t["signals"], t["articles"], freq="D").index
    assert list(idx.loc[idx["spike"], "period"].dt.strftime("%Y-%m-%d")) == ["2022-03-06"]  # the page's rule
    alerts.evaluate(store_dir)
    got = alerts.alerts(store_dir, "Tension")
    spikes = got[got["kind"] == "spike"]
    assert len(spikes) == 1 and str(spikes["date"].iloc[0]).startswith("2022-03-06")
    strongest = tension.timeline(t["signals"], t["articles"], freq="D").evidence("2022-03-06")["article_id"].iloc[0]
    assert spikes["article_id"].iloc[0] == strongest

    assert alerts.evaluate(store_dir) == {"Tension": 0}  # not alerted twice
    assert alerts.mark_read(store_dir, "Tension") > 0
    assert alerts.alerts(store_dir, "Tension", unread_only=True).empty
    digest = alerts.markdown_digest(alerts.get(store_dir, "Tension"), got)
    assert "Tension spike:" in digest
