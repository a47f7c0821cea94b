"""Watchlists and their alerts, the write side: save a watchlist, record what is new for it, mark it read, deliver.

This module is the dashboard's one write seam for watchlists (the Alerts page saves and marks read through it);
everything the page reads (watchlists, their alerts, kind labels) is ``pipeline/read/alerts.py``.

Three tables live beside the pipeline's in the store (declared in ``pipeline/schema.py``, created on first use,
never touched by ``run``):

``watchlists``  one row per named watchlist: query, filters (JSON), delivery settings, when it was last read;
``alerts``      one row per (watchlist, article) that matched: a match is alerted once, ever;
``deliveries``  one row per (watchlist, channel, alert): its state (``sending`` then ``sent`` or ``failed``).

An alert is written (in one transaction) before it is delivered, and a delivery is marked ``sending`` before the
POST and ``sent`` after it, so a process killed at any point neither loses an alert nor re-alerts a match. The one
window it cannot close is a kill between a webhook's answer and the ``sent`` mark: that delivery is retried with the
same ``Idempotency-Key`` header (the alert's key) so the receiver can drop the repeat.

Alert kinds, per article of the watchlist's selection (its query and saved filters): ``article`` (it matches),
``signal`` (it carries a tension signal of weight ≥ the watchlist's ``min_signal_weight``), ``figure`` (it states a
spending figure), ``anachronism`` (an actor's role is flagged as out of its time) and ``spike`` (it carries signals
in a spike period of the tension index of the watchlist's selection: :func:`spike_articles`, the Tension page's rule).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from pipeline import store
from pipeline.read import search
# The read side of watchlists (what the Alerts page reads), used here by the writes and re-exported for callers.
from pipeline.read.alerts import (KIND_LABELS, Watchlist, alerts, filters_from_dict, filters_to_dict,  # noqa: F401
                                  get, spike_articles, watchlists)

#: The tables of this module, declared in ``pipeline/schema.py`` (created by the store from there).
TABLES = ("watchlists", "alerts", "deliveries")
WEBHOOK_TIMEOUT = 5.0
WEBHOOK_RETRIES = 2
WEBHOOK_BACKOFF = 0.5


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _conn(store_dir: str | Path) -> sqlite3.Connection:
    conn = store.connect(store_dir)
    store.ensure_tables(conn, TABLES)
    return conn


SEED_WATCHLISTS = Path(__file__).resolve().parent / "data" / "seed_watchlists.json"


def add_seed_watchlists(store_dir: str | Path) -> int:
    """Save the example watchlists of ``data/seed_watchlists.json`` (a store built from seeds/ starts with them)
    and record their alerts; returns how many were added (none already saved is replaced)."""
    have = {w.name for w in watchlists(store_dir)}
    added = 0
    for item in json.loads(SEED_WATCHLISTS.read_text(encoding="utf-8")):
        if item["name"] not in have:
            save(store_dir, item["name"], item["query"])
            added += 1
    if added:
        evaluate(store_dir)
    return added


def save(store_dir: str | Path, name: str, query: str, filters: dict | None = None, *, atom_path: str = "",
         digest_path: str = "", webhook_url: str = "", min_signal_weight: float = 0.75) -> Watchlist:
    """Save (or replace the settings of) the watchlist ``name``; the query is checked first (QueryError).

    ``filters`` are the dashboard's, as :func:`filters_to_dict` writes them."""
    name = " ".join(name.split())
    if not name:
        raise ValueError("a watchlist needs a name")
    search.parse(query)
    if webhook_url and not webhook_url.startswith(("http://", "https://")):
        raise ValueError(f"webhook URL must start with http:// or https://, not {webhook_url[:40]!r}")
    with closing(_conn(store_dir)) as conn:
        conn.execute(
            "INSERT INTO watchlists (name, query, filters, atom_path, digest_path, webhook_url, created_at, "
            "min_signal_weight) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET query=excluded.query, "
            "filters=excluded.filters, atom_path=excluded.atom_path, digest_path=excluded.digest_path, "
            "webhook_url=excluded.webhook_url, min_signal_weight=excluded.min_signal_weight",
            (name, query, json.dumps(filters or {}, sort_keys=True), atom_path, digest_path, webhook_url, _now(),
             float(min_signal_weight)))
    return get(store_dir, name)


def _selection(store_dir, w: Watchlist, matched: set[str], tables_cache: dict) -> dict[str, set[str]]:
    """Per alert kind, the articles of the watchlist's selection (its query, then its saved filters) that qualify."""
    from pipeline.read import query
    from pipeline.read.tables import load_tables

    if "t" not in tables_cache:
        tables_cache["t"] = load_tables(store_dir)
    t = query.apply_filters(tables_cache["t"], filters_from_dict(w.filters, frozenset(matched)))
    ids = set(t["articles"]["article_id"])
    sig, fig, men = t["signals"], t["figures"], t["actor_mentions"]
    return {
        "article": ids,
        "signal": set(sig.loc[sig["weight"].astype(float) >= w.min_signal_weight, "article_id"]) & ids,
        "figure": set(fig["article_id"]) & ids,
        "anachronism": set(men.loc[men["anachronism"].fillna("").astype(str) != "", "article_id"]) & ids,
        "spike": spike_articles(sig, t["articles"]),
    }


def delete(store_dir: str | Path, name: str) -> None:
    """Remove a watchlist with its alerts and delivery records."""
    w = get(store_dir, name)
    with closing(_conn(store_dir)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        for t in ("deliveries", "alerts", "watchlists"):
            conn.execute(f"DELETE FROM {t} WHERE watchlist_id = ?", (w.watchlist_id,))
        conn.execute("COMMIT")


def evaluate(store_dir: str | Path) -> dict[str, int]:
    """Record an alert for every article that matches a watchlist and was never alerted for it; new counts by name.

    One transaction for all watchlists: a kill leaves either every new alert recorded or none.
    """
    lists = watchlists(store_dir)
    cache: dict = {}
    found = {w.name: _selection(store_dir, w, search.matching_ids(store_dir, w.query), cache) for w in lists}
    new: dict[str, int] = {}
    with closing(_conn(store_dir)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            now = _now()
            for w in lists:
                before = conn.total_changes
                conn.executemany("INSERT OR IGNORE INTO alerts (watchlist_id, article_id, kind, created_at) "
                                 "VALUES (?, ?, ?, ?)", [(w.watchlist_id, a, kind, now)
                                                         for kind, ids in found[w.name].items() for a in sorted(ids)])
                new[w.name] = conn.total_changes - before
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return new


def mark_read(store_dir: str | Path, name: str) -> int:
    """Mark every alert of ``name`` read (the watchlist's "since" moves to now); returns how many were unread."""
    w = get(store_dir, name)
    with closing(_conn(store_dir)) as conn:
        n = conn.execute("UPDATE alerts SET read = 1 WHERE watchlist_id = ? AND read = 0", (w.watchlist_id,)).rowcount
        conn.execute("UPDATE watchlists SET read_at = ? WHERE watchlist_id = ?", (_now(), w.watchlist_id))
    return n


# ---------------------------------------------------------------- delivery

def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def atom_feed(w: Watchlist, rows) -> str:
    """An Atom 1.0 document of a watchlist's alerts (every text escaped)."""
    updated = rows["created_at"].max() if len(rows) else w.created_at
    entries = []
    for r in rows.itertuples():
        link = f'<link href="{xml_escape(str(r.url), {chr(34): "&quot;"})}"/>' if r.url else ""
        entries.append(
            f"<entry><id>urn:newsintel:{w.watchlist_id}:{r.kind}:{xml_escape(r.article_id)}</id>"
            f"<title>{KIND_LABELS.get(r.kind, r.kind)}: {xml_escape(str(r.title or r.article_id))}</title>{link}<updated>{r.created_at}</updated>"
            f"<summary>{xml_escape(str(r.source or ''))} {xml_escape(str(r.date or 'undated'))}</summary></entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>urn:newsintel:watchlist:{w.watchlist_id}</id><title>{xml_escape(w.name)}: {xml_escape(w.query)}</title>"
            f"<updated>{updated}</updated>" + "".join(entries) + "</feed>\n")


def markdown_digest(w: Watchlist, rows) -> str:
    """A Markdown digest of a watchlist's unread alerts (titles escaped for Markdown)."""
    def md(text: str) -> str:
        return "".join("\\" + c if c in "\\`*_{}[]()#+-.!<>|" else c for c in str(text))
    unread = rows[rows["read"] == 0]
    lines = [f"# {md(w.name)}", "", f"Query: `{w.query.replace('`', '')}`; {len(unread)} unread of {len(rows)} alerts.", ""]
    for r in unread.itertuples():
        title = md(r.title or r.article_id)
        lines.append(f"- {KIND_LABELS.get(r.kind, r.kind)}: {title} ({md(r.source or 'no source')}, {r.date or 'undated'}) `{r.article_id}`"
                     + (f" <{r.url}>" if str(r.url or "").startswith(("http://", "https://")) else ""))
    return "\n".join(lines) + "\n"


def post_webhook(url: str, payload: dict, *, key: str, timeout: float = WEBHOOK_TIMEOUT,
                 retries: int = WEBHOOK_RETRIES, backoff: float = WEBHOOK_BACKOFF) -> tuple[bool, str]:
    """POST ``payload`` as JSON; retry on a timeout, a refused connection or a 5xx; (delivered, what happened)."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    last = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        req = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Idempotency-Key": key})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return True, f"HTTP {resp.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if exc.code < 500 and exc.code != 429:
                return False, last + " (not retried)"
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last = f"no answer: {reason}"
    return False, f"{last} after {retries + 1} attempts"


def deliver(store_dir: str | Path, **webhook_options) -> dict[str, int]:
    """Send every watchlist's undelivered alerts over its channels; counts of ``sent`` and ``failed`` deliveries.

    The Atom file and the digest are rewritten whole (atomically) from the alerts table; each new alert is posted to
    the webhook once, as ``{"watchlist", "query", "kind", "article_id", "title", "date", "source", "url"}``.
    """
    counts = {"sent": 0, "failed": 0}
    for w in watchlists(store_dir):
        rows = alerts(store_dir, w.name)
        if w.atom_path:
            _write_atomic(Path(w.atom_path), atom_feed(w, rows))
        if w.digest_path:
            _write_atomic(Path(w.digest_path), markdown_digest(w, rows))
        if not w.webhook_url:
            continue
        with closing(_conn(store_dir)) as conn:
            done = {(r[0], r[1]) for r in conn.execute(
                "SELECT article_id, kind FROM deliveries WHERE watchlist_id = ? AND channel = 'webhook' AND state = 'sent'",
                (w.watchlist_id,))}
        for r in rows.itertuples():
            if (r.article_id, r.kind) in done:
                continue
            with closing(_conn(store_dir)) as conn:
                conn.execute("INSERT INTO deliveries (watchlist_id, article_id, kind, channel, state, attempts) "
                             "VALUES (?, ?, ?, 'webhook', 'sending', 1) ON CONFLICT DO UPDATE SET state='sending', "
                             "attempts = attempts + 1", (w.watchlist_id, r.article_id, r.kind))
            ok, detail = post_webhook(w.webhook_url, {
                "watchlist": w.name, "query": w.query, "kind": r.kind, "article_id": r.article_id, "title": r.title,
                "date": r.date or None, "source": r.source, "url": r.url},
                key=f"{w.watchlist_id}:{r.kind}:{r.article_id}", **webhook_options)
            with closing(_conn(store_dir)) as conn:
                conn.execute("UPDATE deliveries SET state = ?, detail = ? WHERE watchlist_id = ? AND article_id = ? "
                             "AND kind = ? AND channel = 'webhook'",
                             ("sent" if ok else "failed", detail, w.watchlist_id, r.article_id, r.kind))
            counts["sent" if ok else "failed"] += 1
            if not ok:
                break  # the endpoint is down: the rest wait for the next cycle, in order
    return counts
