"""The one-page brief of the current view: Markdown an analyst downloads and forwards.

:func:`one_page_brief` is a pure function over the filtered tables (the
``filtered`` dict of ``pipeline.read.query.apply_filters``): headline tension,
top topic clusters, key figures, quotes and the strongest signals, each with
a link to its sentence in the reader. Text from articles is untrusted: it is
shortened, put on one line and escaped for Markdown and HTML, so a quote can
neither inject markup nor a link.
"""
from __future__ import annotations

import datetime as dt
import html
import re

import pandas as pd

from pipeline.read import query, tension

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def md_escape(text, limit: int = 300) -> str:
    """Untrusted text as one safe Markdown line: whitespace collapsed, shortened, HTML and Markdown escaped."""
    flat = " ".join(str(text or "").split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def _link(base_url: str, article_id: str, start=None) -> str:
    url = query.reader_link(article_id, None if start is None or pd.isna(start) else int(start))
    return f"{base_url.rstrip('/')}/{url}" if base_url else url


def _filters_line(filters: query.Filters | None) -> str:
    items = filters.describe() if filters is not None else []
    return "; ".join(label for _, label, _ in items) if items else "no filters (every article)"


def _titles(articles: pd.DataFrame) -> dict[str, str]:
    return dict(zip(articles["article_id"], articles["title"].fillna("").astype(str)))


def one_page_brief(
    filtered: dict[str, pd.DataFrame],
    filters: query.Filters | None = None,
    *,
    base_url: str = "",
    view_url: str = "",
    generated: dt.datetime | None = None,
    top: int = 5,
) -> str:
    """Markdown brief of a view: headline tension, top clusters, key figures, quotes and strongest signals.

    ``filtered`` holds the view's tables (``articles``, ``clusters``,
    ``signals``, ``figures``, ``actor_mentions``); ``base_url`` prefixes the
    reader links (relative links when empty); ``view_url`` is the link that
    reopens the view; ``top`` bounds each list.
    """
    if top < 1:
        raise ValueError("top must be at least 1")
    articles = filtered["articles"]
    signals, figures_df = filtered["signals"], filtered["figures"]
    titles = _titles(articles)
    when = (generated or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# NATO–Russia tension brief", ""]
    lines.append(f"_{len(articles)} articles · filters: {md_escape(_filters_line(filters))} · generated {when}._")
    if view_url:
        lines.append(f"[Open this view in the dashboard](<{view_url}>)")
    lines.append("")
    if articles.empty:
        lines += ["No articles match the filters: widen or clear them and download the brief again.", ""]
        return "\n".join(lines)

    # Headline tension
    balance = tension.balance(signals)
    direction = ("escalation outweighs de-escalation" if balance["net"] > 0 else
                 "de-escalation outweighs escalation" if balance["net"] < 0 else "escalation and de-escalation balance")
    lines += ["## Headline tension", "",
              f"**Net tension {balance['net']:+.1f}: {direction}** — {balance['signals']} signals, escalation "
              f"{balance['escalation']:.1f}, de-escalation {balance['deescalation']:.1f} (Goldstein-weighted, as the tension index)."]
    counts = query.signal_counts(signals)
    if not counts.empty:
        leading = counts.sort_values("score", ascending=False).head(3)
        lines.append("Leading categories: " + ", ".join(
            f"{md_escape(r.label)} ({r.direction}, {r.signals})" for r in leading.itertuples()) + ".")
    lines.append("")

    # Top clusters
    sizes = articles.loc[articles["cluster_id"] >= 0, "cluster_id"].value_counts()
    if not sizes.empty:
        clusters = filtered["clusters"].set_index("cluster_id") if "clusters" in filtered else pd.DataFrame()
        lines += ["## Top topic clusters", ""]
        for cid, n in sizes.head(top).items():
            label = clusters.at[cid, "label"] if cid in clusters.index else f"cluster {cid}"
            terms = clusters.at[cid, "top_terms"] if cid in clusters.index else ""
            lines.append(f"1. **{md_escape(label, 80)}** — {n} articles" + (f" ({md_escape(terms, 120)})" if terms else ""))
        lines.append("")

    # Key figures
    if not figures_df.empty:
        lines += ["## Key figures", ""]
        shown = _key_figures(figures_df).head(top)
        for r in shown.to_dict("records"):
            qual = f"{r['qualifier']} " if r.get("qualifier") else ""
            owner = f" — {md_escape(r['actor'], 60)}" if r.get("actor") else ""
            value = f"{r['value']:,.0f}" if abs(float(r["value"])) >= 1000 else f"{r['value']:g}"
            lines.append(f"- **{md_escape(qual + value + ' ' + str(r.get('unit') or ''), 80)}** ({md_escape(r['kind'])}){owner}: "
                         f"“{md_escape(r.get('text'), 120)}” — [{md_escape(titles.get(r['article_id'], 'article'), 90)}]"
                         f"(<{_link(base_url, r['article_id'], r.get('start'))}>)")
        lines.append("")

    # Quotes
    quotes = _quotes(articles, filtered.get("actor_mentions"))
    if not quotes.empty:
        lines += ["## Quotes", ""]
        for r in quotes.head(top).to_dict("records"):
            lines.append(f"> “{md_escape(r['quote'], 280)}” — **{md_escape(r['actor'], 60)}**, "
                         f"[{md_escape(titles.get(r['article_id'], 'article'), 90)}](<{_link(base_url, r['article_id'])}>)")
            lines.append("")

    # Strongest signals
    if not signals.empty:
        lines += ["## Strongest signals", ""]
        strongest = signals.assign(_w=pd.to_numeric(signals["weight"], errors="coerce").fillna(0)).sort_values(
            ["_w", "article_id", "start"], ascending=[False, True, True], kind="stable").head(top)
        for r in strongest.to_dict("records"):
            direction = "escalation" if r["polarity"] > 0 else "de-escalation"
            lines.append(f"- {md_escape(r['category'])} ({direction}, {md_escape(r['modality'])}): "
                         f"“{md_escape(r['evidence'], 200)}” — [{md_escape(titles.get(r['article_id'], 'article'), 90)}]"
                         f"(<{_link(base_url, r['article_id'], r['start'])}>)")
        lines.append("")
    return "\n".join(lines)


def _key_figures(figures_df: pd.DataFrame) -> pd.DataFrame:
    """Figures to headline: money first (largest by the stored ``value_eur`` when the figures stage converted it,
    else as stated), then the rest."""
    frame = figures_df.copy()
    frame["_money"] = frame["kind"].eq("money")
    eur = pd.to_numeric(frame["value_eur"].where(frame["_money"]), errors="coerce")
    frame["_size"] = eur.fillna(pd.to_numeric(frame["value"], errors="coerce")).fillna(0)
    frame = frame.sort_values(["_money", "_size"], ascending=[False, False], kind="stable")
    return frame.drop_duplicates(subset=["article_id", "kind", "value", "unit"]).drop(columns=["_money", "_size"])


def _quotes(articles: pd.DataFrame, mentions: pd.DataFrame | None) -> pd.DataFrame:
    """Attributed quotes of the view's articles (from the actors stage), or an empty frame."""
    if mentions is None or mentions.empty:
        return pd.DataFrame(columns=["actor", "quote", "article_id"])
    from pipeline.read import actors

    return actors.quotes_table(articles, mentions)
