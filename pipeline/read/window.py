"""Which months of a large store the dashboard reads: a window of months, not every article.

The pages hold their tables in memory; a Parquet store of a million articles does not fit the 2.7 GB a
Streamlit Community Cloud app has. Above :data:`WINDOW_THRESHOLD` articles the dashboard reads the latest
months holding at most :data:`WINDOW_ARTICLES` articles, or the months of the From/To dates the analyst sets
(their latest months up to :data:`WINDOW_MAX_ARTICLES` articles), and says which. A SQLite store, and a
Parquet store under the threshold, are read whole (no window).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pipeline.store import parquet

#: Above this many articles a Parquet store is read a window of months at a time.
WINDOW_THRESHOLD = 50_000
#: Articles the default window (the latest months) holds at most.
WINDOW_ARTICLES = 10_000
#: Articles a window the analyst chose (From/To) holds at most: its latest months are kept.
WINDOW_MAX_ARTICLES = 100_000


@dataclass(frozen=True)
class Window:
    """The months of a store the pages read, and what the store holds beside them."""

    first: str                 # YYYY-MM, inclusive
    last: str
    articles: int              # articles in the window
    store_articles: int        # articles in the store (dated and undated)
    store_first: str
    store_last: str
    undated: int               # articles without a month (outside every window)
    cut: bool                  # the chosen months held more than WINDOW_MAX_ARTICLES: the latest were kept

    @property
    def months(self) -> tuple[str, str]:
        return self.first, self.last

    def describe(self) -> str:
        """One sentence for the analyst: what the store holds and which part of it the pages show."""
        text = (f"This store holds {self.store_articles:,} articles ({self.store_first} to {self.store_last}); "
                f"the pages read the {self.articles:,} articles of {self.first} to {self.last}")
        if self.cut:
            text += f" (the latest months of the chosen dates, up to {WINDOW_MAX_ARTICLES:,} articles)"
        text += ". Set From and To in the sidebar to read other months"
        if self.undated:
            text += f"; the {self.undated:,} undated articles are outside every window"
        return text + "."


def articles_per_month(store_dir: str | Path) -> dict[str, int]:
    """Articles per month folder of a Parquet store (``unknown`` for the undated), from the parts' footers."""
    return parquet.rows_per_month(store_dir, "articles")


def needs_window(store_dir: str | Path) -> bool:
    """Whether the store is too large for the pages to read whole."""
    return parquet.is_parquet(store_dir) and sum(articles_per_month(store_dir).values()) > WINDOW_THRESHOLD


def choose(store_dir: str | Path, date_from: dt.date | None = None, date_to: dt.date | None = None) -> Window | None:
    """The window the pages read (None when the store is read whole): the months of ``date_from``..``date_to``
    when either is set (an open end runs to the store's first or last month), else the latest months."""
    if not parquet.is_parquet(store_dir):
        return None
    per_month = articles_per_month(store_dir)
    total = sum(per_month.values())
    if total <= WINDOW_THRESHOLD:
        return None
    undated = per_month.pop(parquet.UNKNOWN_MONTH, 0)
    months = sorted(per_month)
    if not months:
        return None
    limit = WINDOW_ARTICLES
    if date_from or date_to:
        low = date_from.strftime("%Y-%m") if date_from else months[0]
        high = date_to.strftime("%Y-%m") if date_to else months[-1]
        months = [m for m in months if low <= m <= high]
        limit = WINDOW_MAX_ARTICLES
        if not months:   # no article in those months: an empty window, honestly
            return Window(first=low, last=high, articles=0, store_articles=total, store_first=min(per_month),
                          store_last=max(per_month), undated=undated, cut=False)
    chosen: list[str] = []
    held = 0
    for month in reversed(months):   # the latest first, at least one month
        if chosen and held + per_month[month] > limit:
            break
        chosen.append(month)
        held += per_month[month]
    return Window(first=chosen[-1], last=chosen[0], articles=held, store_articles=total,
                  store_first=min(per_month), store_last=max(per_month), undated=undated,
                  cut=bool(date_from or date_to) and len(chosen) < len(months))
