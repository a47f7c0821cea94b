"""Watchlists and their alerts: a saved query (with the dashboard's filters), what is new for it, and delivery.

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
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from pipeline import store
from pipeline.read import search

#: The tables of this module, declared in ``pipeline/schema.py`` (created by the store from there).
TABLES = ("watchlists", "alerts", "deliveries")
KIND_LABELS = {"article": "New match", "signal": "Tension signal", "figure": "Spending figure",
               "anachronism": "Anachronism flag", "spike": "Tension spike"}
WEBHOOK_TIMEOUT = 5.0
WEBHOOK_RETRIES = 2
WEBHOOK_BACKOFF = 0.5


@dataclass
class Watchlist:
    watchlist_id: int
    name: str
    query: str
    filters: dict
    atom_path: str
    digest_path: str
    webhook_url: str
    created_at: str
    read_at: str
    min_signal_weight: float = 0.75


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


def watchlists(store_dir: str | Path) -> list[Watchlist]:
    """Every saved watchlist, by name."""
    with closing(_conn(store_dir)) as conn:
        rows = conn.execute("SELECT watchlist_id, name, query, filters, atom_path, digest_path, webhook_url, "
                            "created_at, read_at, min_signal_weight FROM watchlists ORDER BY name").fetchall()
    return [Watchlist(r[0], r[1], r[2], json.loads(r[3] or "{}"), *(x or "" for x in r[4:9]),
                      0.75 if r[9] is None else float(r[9])) for r in rows]


def filters_to_dict(f) -> dict:
    """The dashboard filters (``query.Filters``, search text left out) as JSON-safe lists per URL parameter."""
    out: dict = {}
    for field, _, value in f.describe():
        if field == "q":
            continue
        out.setdefault(field, []).append(value.isoformat() if hasattr(value, "isoformat") else value)
    return out


def filters_from_dict(d: dict, text_ids: frozenset):
    """``query.Filters`` of a saved watchlist's filters, narrowed to the articles ``text_ids`` its query matched."""
    import datetime as dt

    from pipeline.read import query

    day = lambda k: dt.date.fromisoformat(d[k][0]) if d.get(k) else None  # noqa: E731
    return query.Filters(date_from=day("from"), date_to=day("to"), include_undated=not d.get("undated"),
                         clusters=tuple(int(c) for c in d.get("cluster", [])), actors=tuple(d.get("actor", [])),
                         categories=tuple(d.get("signal", [])), figure_kinds=tuple(d.get("figure", [])),
                         text_ids=text_ids)


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


def spike_articles(signals, articles) -> set[str]:
    """The articles with tension signals in a spike period of the tension index of ``articles`` (the Tension
    page's rule, :func:`pipeline.read.tension.timeline`: its automatic period and its z-score threshold)."""
    from pipeline.read import tension

    if articles.empty or signals.empty:
        return set()
    timeline = tension.timeline(signals, articles)
    spikes = set(timeline.index.loc[timeline.index["spike"], "period"])
    behind = timeline.signals
    if not spikes or behind.empty:
        return set()
    return set(behind.loc[behind["period"].isin(spikes), "article_id"].astype(str))


def get(store_dir: str | Path, name: str) -> Watchlist:
    """The watchlist ``name`` (KeyError when there is none)."""
    for w in watchlists(store_dir):
        if w.name == name:
            return w
    raise KeyError(f"no watchlist named {name!r}")


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


def alerts(store_dir: str | Path, name: str, *, unread_only: bool = False):
    """The alerts of watchlist ``name`` with each article's title, date, source and url, newest first (a DataFrame).

    ``date`` is the article's date as shown everywhere (:func:`pipeline.read.labels.display_date`: its own
    date, else "2025 (inferred)", else blank)."""
    import pandas as pd

    from pipeline.read.labels import display_dates

    w = get(store_dir, name)
    with closing(_conn(store_dir)) as conn:
        frame = pd.read_sql_query(
            "SELECT al.article_id, al.kind, al.created_at, al.read, a.title, a.date, a.date_inferred, a.source, a.url "
            "FROM alerts al JOIN articles a USING (article_id) WHERE al.watchlist_id = ?"
            + (" AND al.read = 0" if unread_only else "") + " ORDER BY al.created_at DESC, a.date DESC, al.article_id",
            conn, params=(w.watchlist_id,))
    frame["date"] = display_dates(frame) if len(frame) else frame["date"]
    return frame.drop(columns="date_inferred")


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
