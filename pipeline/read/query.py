"""Queries over the pipeline's tables for the dashboard: filters and summaries.

Pages call these pure functions and only draw what they return. Tables are
the DataFrames of ``pipeline.run.load_tables`` (keys ``articles``,
``clusters``, ``assignments``, ``actor_mentions``, ``signals``, ``figures``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from pipeline import registry, schema


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
    figure_kinds: tuple[str, ...] = field(default_factory=tuple)
    #: The full-text query (:mod:`pipeline.read.search`) and the article_ids it matched in the store
    #: (``None``: no query, or a malformed one, which filters nothing).
    text: str = ""
    text_ids: frozenset | None = None

    def __post_init__(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"date_from {self.date_from} is after date_to {self.date_to}")

    @property
    def active(self) -> bool:
        """Whether any filter narrows the corpus."""
        return bool(self.date_from or self.date_to or not self.include_undated or self.clusters or self.actors
                    or self.categories or self.figure_kinds or self.text_ids is not None)

    def describe(self) -> list[tuple[str, str, object]]:
        """The active filters as (field, label, value) triples, one per chosen value, in sidebar order.

        ``field`` is the URL parameter (``from``, ``to``, ``undated``, ``cluster``,
        ``actor``, ``signal``, ``figure``); ``label`` says it for people.
        """
        out: list[tuple[str, str, object]] = []
        if self.text and self.text_ids is not None:
            out.append(("q", f"Search: {self.text}", self.text))
        if self.date_from:
            out.append(("from", f"From {self.date_from.isoformat()}", self.date_from))
        if self.date_to:
            out.append(("to", f"To {self.date_to.isoformat()}", self.date_to))
        if not self.include_undated:
            out.append(("undated", "Dated articles only", False))
        out += [("cluster", f"Cluster #{c}", c) for c in self.clusters]
        out += [("actor", f"Actor: {a}", a) for a in self.actors]
        from pipeline.read.labels import label
        out += [("signal", f"Signal: {label('signal_category', c)}", c) for c in self.categories]
        out += [("figure", f"Figure: {label('figure_kind', k)}", k) for k in self.figure_kinds]
        return out


def article_dates(articles: pd.DataFrame) -> pd.Series:
    """Each article's date for charts and filters: its own date, else its inferred year (ISO string, "" if none)."""
    return schema.effective_dates(articles)


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
    The signals table is further narrowed to the chosen categories, the
    figures table to the chosen figure kinds.
    """
    if not f.active:
        return dict(tables)   # nothing to narrow: the same frames, no copies
    articles = tables["articles"]
    keep = pd.Series(True, index=articles.index)
    if f.text_ids is not None:
        keep &= articles["article_id"].isin(f.text_ids)
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
    if f.figure_kinds:
        fg = tables["figures"]
        keep &= articles["article_id"].isin(set(fg.loc[fg["kind"].isin(list(f.figure_kinds)), "article_id"]))
    ids = set(articles.loc[keep, "article_id"])
    out = dict(tables)
    out["articles"] = articles.loc[keep].reset_index(drop=True)
    for name in registry.per_article_tables() + ("assignments",):   # every table with a row per article's finding
        if name in tables:
            t = tables[name]
            out[name] = t.loc[t["article_id"].isin(ids)].reset_index(drop=True)
    if f.categories:
        out["signals"] = out["signals"].loc[out["signals"]["category"].isin(list(f.categories))].reset_index(drop=True)
    if f.figure_kinds:
        out["figures"] = out["figures"].loc[out["figures"]["kind"].isin(list(f.figure_kinds))].reset_index(drop=True)
    if "claims" in tables:   # (load_tables groups the claims; a frame set without them has none to narrow)
        # the claims reported in the kept articles (each with all its articles, not only the kept ones)
        claims = tables["claims"]
        out["claims"] = claims.loc[claims["claim_id"].isin(set(out["figures"]["claim_id"]))].reset_index(drop=True)
    return out


def view_counts(articles: pd.DataFrame, mentions: pd.DataFrame, figures: pd.DataFrame) -> dict[str, int]:
    """The overview's headline counts: articles, topic clusters (unclustered left out), distinct actors, figures."""
    return {"articles": int(len(articles)),
            "clusters": int(articles.loc[articles["cluster_id"] >= 0, "cluster_id"].nunique()),
            "actors": int(mentions["actor"].nunique()), "figures": int(len(figures))}


def article_titles(articles: pd.DataFrame, n: int | None = None) -> list[tuple[str, str]]:
    """(article_id, title) of the first ``n`` articles (all when None), in table order; the id when untitled."""
    head = articles if n is None else articles.head(n)
    titles = head["title"].fillna("").astype(str)
    return [(str(a), t or str(a)) for a, t in zip(head["article_id"], titles)]


def latest_articles(articles: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` most recent articles (dated first, newest first), with the columns an overview lists."""
    from pipeline.read.labels import display_dates
    frame = articles.assign(when=article_dates(articles), shown=display_dates(articles))
    frame = frame.sort_values(["when", "title"], ascending=[False, True], kind="stable")
    return frame[["article_id", "shown", "title", "source"]].head(n).rename(columns={"shown": "date"}).reset_index(drop=True)


def actor_counts(mentions: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """Actors by number of mentions and of articles: columns actor, actor_type, mentions, articles."""
    if mentions.empty:
        return pd.DataFrame(columns=["actor", "actor_type", "mentions", "articles"])
    g = mentions.groupby(["actor", "actor_type"], dropna=False).agg(mentions=("article_id", "size"), articles=("article_id", "nunique"))
    g = g.reset_index().sort_values(["mentions", "actor"], ascending=[False, True], kind="stable")
    return g.head(n).reset_index(drop=True) if n else g.reset_index(drop=True)


def signal_counts(signals: pd.DataFrame) -> pd.DataFrame:
    """Signals by category and direction: columns category, label, direction, signals, score.

    ``score`` is the tension score (:data:`pipeline.read.tension.MEASURE`) of the category's signals, as a
    magnitude: per direction the scores sum to :func:`pipeline.read.tension.balance`'s escalation and
    de-escalation.
    """
    from pipeline.read import tension
    from pipeline.read.labels import label
    if signals.empty:
        return pd.DataFrame(columns=["category", "label", "direction", "signals", "score"])
    scores = tension.signal_scores(signals)
    frame = signals.assign(direction=scores.map(lambda p: "escalation" if p > 0 else "de-escalation"),
                           _score=scores.abs())
    g = frame.groupby(["category", "direction"]).agg(signals=("article_id", "size"), score=("_score", "sum")).reset_index()
    g.insert(1, "label", g["category"].map(lambda c: label("signal_category", c)))
    return g.sort_values(["signals", "category"], ascending=[False, True], kind="stable").reset_index(drop=True)


def with_titles(rows: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Add each row's article title (and date) for tables that list evidence."""
    if rows.empty:
        return rows.assign(title=pd.Series(dtype=object), date=pd.Series(dtype=object))
    meta = articles[["article_id", "title"]].assign(date=article_dates(articles))
    return rows.merge(meta, on="article_id", how="left")


# ---------------------------------------------------------------- cross-filtering and shareable links

#: URL parameter of each filter (the sidebar widget's key), in sidebar order.
FILTER_PARAMS = ("q", "from", "to", "undated", "cluster", "actor", "signal", "figure")


def filter_options(tables: dict[str, pd.DataFrame]) -> dict[str, list]:
    """The values each list filter can take in these tables (what the sidebar offers)."""
    return {
        "cluster": sorted(int(c) for c in tables["clusters"]["cluster_id"].dropna().unique()),
        "actor": actor_counts(tables["actor_mentions"])["actor"].tolist(),
        "signal": sorted(str(c) for c in tables["signals"]["category"].dropna().unique()),
        "figure": sorted(str(k) for k in tables["figures"]["kind"].dropna().unique()),
    }


def period_bounds(iso: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of an ISO day, month or year ("2021-10-20", "2021-10", "2021"); None if not one."""
    return _period_bounds(str(iso).strip()[:10]) if iso else None


def date_range_of(values) -> tuple[dt.date, dt.date] | None:
    """The smallest date range covering every ISO period in ``values`` (clicked date bars), or None."""
    bounds = [b for b in (period_bounds(v) for v in values) if b]
    if not bounds:
        return None
    return min(b[0] for b in bounds), max(b[1] for b in bounds)


def clean_params(params: dict[str, list[str]], options: dict[str, list]) -> tuple[dict[str, list[str]], list[str]]:
    """Split URL parameters into the ones the view can use and notices about the ones it ignores.

    ``params`` maps each parameter to its raw values (``st.query_params.get_all``);
    ``options`` is :func:`filter_options` of the store plus ``article`` (known
    article ids). Unknown values (an actor the store does not hold, a date
    that is not a date, a stale article id) are dropped, and each gives one
    short notice for people. Parameters this function does not know are kept.
    """
    kept: dict[str, list[str]] = {}
    notices: list[str] = []
    for name, raw in params.items():
        values = [v for v in raw if v != ""]
        if name in ("from", "to"):
            good = [v for v in values if _is_iso_day(v)]
        elif name == "undated":
            good = [v for v in values if v.lower() in ("true", "false")]
        elif name == "cluster":
            known = {str(c) for c in options.get("cluster", [])}
            good = [v for v in values if v in known]
        elif name in ("actor", "signal", "figure", "article"):
            known = {str(c) for c in options.get(name, [])}
            good = [v for v in values if v in known]
        elif name == "at":
            good = [v for v in values if v.isdigit()]
        else:
            kept[name] = list(raw)
            continue
        bad = [v for v in values if v not in good]
        if bad:
            what = {"from": "date", "to": "date", "undated": "setting", "cluster": "topic cluster", "actor": "actor",
                    "signal": "signal category", "figure": "figure kind", "article": "article", "at": "position"}[name]
            shown = ", ".join(repr(b[:40]) for b in bad[:3]) + (" …" if len(bad) > 3 else "")
            notices.append(f"Ignored the link's {what} {shown}: not in this store.")
        if good:
            kept[name] = good
    return kept, notices


def _is_iso_day(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
        return len(value) == 10
    except ValueError:
        return False


def reader_link(article_id: str, start: int | None = None) -> str:
    """Relative URL of an article in the reader page, at the sentence starting at ``start`` when given."""
    from urllib.parse import urlencode

    params = {"article": str(article_id)}
    if start is not None:
        params["at"] = str(int(start))
    return "reader?" + urlencode(params)


def cluster_label(cluster_id: int, label: str | None) -> str:
    """How a topic cluster is named on every page: "its label (#id)"; the unclustered articles: "Unclustered"."""
    if cluster_id == schema.UNCLUSTERED_ID:
        return schema.UNCLUSTERED_LABEL
    return f"{label or 'cluster'} (#{cluster_id})"


def cluster_sizes(articles: pd.DataFrame, clusters: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """Articles per topic cluster (unclustered left out), largest first: columns cluster_id, label, articles."""
    counts = articles.loc[articles["cluster_id"] >= 0, "cluster_id"].value_counts()
    if counts.empty:
        return pd.DataFrame(columns=["cluster_id", "label", "articles"])
    labels = dict(zip(clusters["cluster_id"], clusters["label"]))
    frame = pd.DataFrame({"cluster_id": [int(c) for c in counts.index], "articles": counts.to_numpy()})
    frame["label"] = [cluster_label(c, labels.get(c)) for c in frame["cluster_id"]]
    frame = frame.sort_values(["articles", "cluster_id"], ascending=[False, True], kind="stable")
    frame = frame[["cluster_id", "label", "articles"]].reset_index(drop=True)
    return frame.head(n) if n else frame


#: Longest span (in months) drawn month by month; a longer one is drawn year by year.
MONTHLY_SPAN_MONTHS = 60


def articles_per_period(articles: pd.DataFrame) -> pd.DataFrame:
    """Dated articles per period on a true time axis, oldest first: columns period, articles.

    Months (``YYYY-MM``) from the first to the last month, empty months included, when the dates with a
    month span at most :data:`MONTHLY_SPAN_MONTHS`; articles dated only to a year (an inferred year) cannot
    be placed on a month and are counted in ``attrs["year_only"]``. A longer span is drawn by year
    (``YYYY``), every year from the first to the last, with every dated article.
    """
    dates = article_dates(articles)
    dates = dates[dates != ""]
    if dates.empty:
        return pd.DataFrame(columns=["period", "articles"])
    months = dates[dates.str.len() >= 7].map(lambda d: d[:7])
    span = 0 if months.empty else (
        (int(months.max()[:4]) - int(months.min()[:4])) * 12 + int(months.max()[5:]) - int(months.min()[5:]) + 1)
    if not months.empty and span <= MONTHLY_SPAN_MONTHS:
        axis = pd.period_range(months.min(), months.max(), freq="M").strftime("%Y-%m")
        counts = months.value_counts().reindex(axis, fill_value=0)
        out = pd.DataFrame({"period": list(axis), "articles": counts.to_numpy()})
        out.attrs["year_only"] = int((dates.str.len() == 4).sum())
        return out
    years = dates.map(lambda d: d[:4])
    axis = [str(y) for y in range(int(years.min()), int(years.max()) + 1)]
    counts = years.value_counts().reindex(axis, fill_value=0)
    out = pd.DataFrame({"period": axis, "articles": counts.to_numpy()})
    out.attrs["year_only"] = 0
    return out


def sample_by_group(frame: pd.DataFrame, n: int, by: str, seed: int = 0) -> pd.DataFrame:
    """At most about ``n`` rows of ``frame``, each group of column ``by`` keeping its share (and at least one
    row), drawn reproducibly (``seed``); the rows keep their order. ``frame`` itself when it has ``n`` or fewer.

    For charts of thousands of points (the document map): the browser draws a
    few thousand as fast as one, and every group still shows.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if len(frame) <= n:
        return frame
    share = n / len(frame)
    picked = []
    for _, group in frame.groupby(by, sort=False, dropna=False):
        k = max(1, round(len(group) * share))
        picked.append(group.sample(n=min(k, len(group)), random_state=seed))
    return frame.loc[sorted(pd.concat(picked).index)]


def top_groups(frame: pd.DataFrame, by: str, value: str, n: int, rest: str, keys: tuple[str, ...] = ()) -> pd.DataFrame:
    """Keep the ``n`` groups of column ``by`` with the largest total ``value``; the others become one group
    named ``rest``, their ``value`` summed per ``keys`` (e.g. per period). Columns: keys, by, value.

    For stacked charts of many groups (a topic timeline of 90 clusters draws 90 traces and colours no one
    can tell apart).
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if frame.empty:
        return frame[list(keys) + [by, value]]
    top = frame.groupby(by)[value].sum().sort_values(ascending=False, kind="stable").head(n).index
    named = frame.assign(**{by: frame[by].where(frame[by].isin(top), rest)})
    return named.groupby(list(keys) + [by], sort=False, as_index=False)[value].sum()
