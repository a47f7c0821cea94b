"""Queries over the pipeline's tables for the dashboard: filters and summaries.

Pages call these pure functions and only draw what they return. Tables are
the DataFrames of ``pipeline.run.load_tables`` (keys ``articles``,
``clusters``, ``assignments``, ``actor_mentions``, ``signals``, ``figures``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Filters:
    """What the analyst has narrowed the corpus to; empty fields filter nothing.

    Dates compare with an article's own date, or its inferred year when it
    has none; ``include_undated`` keeps articles with neither.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_undated: bool = True
    clusters: tuple[int, ...] = field(default_factory=tuple)
    actors: tuple[str, ...] = field(default_factory=tuple)
    categories: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"date_from {self.date_from} is after date_to {self.date_to}")

    @property
    def active(self) -> bool:
        """Whether any filter narrows the corpus."""
        return bool(self.date_from or self.date_to or not self.include_undated or self.clusters or self.actors or self.categories)


def article_dates(articles: pd.DataFrame) -> pd.Series:
    """Each article's date for charts and filters: its own date, else its inferred year (ISO string, "" if none)."""
    own = articles.get("date", pd.Series("", index=articles.index)).fillna("").astype(str)
    inferred = articles.get("date_inferred", pd.Series("", index=articles.index)).fillna("").astype(str)
    return own.where(own != "", inferred)


def _period_bounds(iso: str) -> tuple[dt.date, dt.date] | None:
    """First and last day covered by an ISO date of day, month or year precision."""
    try:
        if len(iso) == 10:
            d = dt.date.fromisoformat(iso)
            return d, d
        if len(iso) == 7:
            y, m = int(iso[:4]), int(iso[5:7])
            last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))
            return dt.date(y, m, 1), last
        if len(iso) == 4:
            y = int(iso)
            return dt.date(y, 1, 1), dt.date(y, 12, 31)
    except ValueError:
        return None
    return None


def _in_range(iso: str, f: Filters) -> bool:
    bounds = _period_bounds(iso) if iso else None
    if bounds is None:
        return f.include_undated
    start, end = bounds
    if f.date_from and end < f.date_from:
        return False
    if f.date_to and start > f.date_to:
        return False
    return True


def apply_filters(tables: dict[str, pd.DataFrame], f: Filters) -> dict[str, pd.DataFrame]:
    """Narrow every table to the articles that pass the filters.

    An article passes when its date is in range, it is in one of the chosen
    clusters, it mentions one of the chosen actors and it carries a signal of
    one of the chosen categories (each test only when that filter is set).
    The signals table is further narrowed to the chosen categories.
    """
    articles = tables["articles"]
    keep = pd.Series(True, index=articles.index)
    if f.date_from or f.date_to or not f.include_undated:
        keep &= article_dates(articles).map(lambda d: _in_range(d, f))
    if f.clusters:
        keep &= articles["cluster_id"].isin(list(f.clusters))
    if f.actors:
        m = tables["actor_mentions"]
        keep &= articles["article_id"].isin(set(m.loc[m["actor"].isin(list(f.actors)), "article_id"]))
    if f.categories:
        s = tables["signals"]
        keep &= articles["article_id"].isin(set(s.loc[s["category"].isin(list(f.categories)), "article_id"]))
    ids = set(articles.loc[keep, "article_id"])
    out = dict(tables)
    out["articles"] = articles.loc[keep].reset_index(drop=True)
    for name in ("actor_mentions", "signals", "figures", "assignments"):
        if name in tables:
            t = tables[name]
            out[name] = t.loc[t["article_id"].isin(ids)].reset_index(drop=True)
    if f.categories:
        out["signals"] = out["signals"].loc[out["signals"]["category"].isin(list(f.categories))].reset_index(drop=True)
    return out


def signal_balance(signals: pd.DataFrame) -> dict[str, float]:
    """Weighted escalation, de-escalation and net tension of a set of signals.

    Each signal counts ``weight`` (already lowered for negated, hypothetical,
    future and reported signals) in the direction of its effective polarity.
    """
    if signals.empty:
        return {"escalation": 0.0, "deescalation": 0.0, "net": 0.0, "signals": 0}
    w = pd.to_numeric(signals["weight"], errors="coerce").fillna(0.0)
    pol = pd.to_numeric(signals["polarity"], errors="coerce").fillna(0)
    esc = float(w[pol > 0].sum())
    de = float(w[pol < 0].sum())
    return {"escalation": round(esc, 2), "deescalation": round(de, 2), "net": round(esc - de, 2), "signals": int(len(signals))}


def latest_articles(articles: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` most recent articles (dated first, newest first), with the columns an overview lists."""
    frame = articles.assign(when=article_dates(articles))
    frame = frame.sort_values(["when", "title"], ascending=[False, True], kind="stable")
    return frame[["article_id", "when", "title", "source"]].head(n).rename(columns={"when": "date"}).reset_index(drop=True)


def actor_counts(mentions: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """Actors by number of mentions and of articles: columns actor, actor_type, mentions, articles."""
    if mentions.empty:
        return pd.DataFrame(columns=["actor", "actor_type", "mentions", "articles"])
    g = mentions.groupby(["actor", "actor_type"], dropna=False).agg(mentions=("article_id", "size"), articles=("article_id", "nunique"))
    g = g.reset_index().sort_values(["mentions", "actor"], ascending=[False, True], kind="stable")
    return g.head(n).reset_index(drop=True) if n else g.reset_index(drop=True)


def signal_counts(signals: pd.DataFrame) -> pd.DataFrame:
    """Signals by category and direction: columns category, direction, signals, weight."""
    if signals.empty:
        return pd.DataFrame(columns=["category", "direction", "signals", "weight"])
    frame = signals.assign(direction=signals["polarity"].map(lambda p: "escalation" if p > 0 else "de-escalation"))
    g = frame.groupby(["category", "direction"]).agg(signals=("article_id", "size"), weight=("weight", "sum")).reset_index()
    return g.sort_values(["signals", "category"], ascending=[False, True], kind="stable").reset_index(drop=True)


def with_titles(rows: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Add each row's article title (and date) for tables that list evidence."""
    if rows.empty:
        return rows.assign(title=pd.Series(dtype=object), date=pd.Series(dtype=object))
    meta = articles[["article_id", "title"]].assign(date=article_dates(articles))
    return rows.merge(meta, on="article_id", how="left")
