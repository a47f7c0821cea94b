"""The Spending tracker's tables: figures merged per article, money over time and by actor, shares of GDP.

Pure functions over the ``figures`` and ``articles`` tables (moved out of the figures stage). Money is
compared by the stored ``value_eur`` (the figures stage's one conversion, at the rates of ``rate_date``).
"""
from __future__ import annotations

import pandas as pd

from pipeline import schema
from pipeline.read.query import reader_link


GDP_TARGETS = (2.0, 3.5, 5.0)  # NATO: 2% (Wales 2014), 3.5% core + 1.5% related = 5% (The Hague 2025)
TRACKER_COLUMNS = ["article_id", "figure_key", "kind", "value", "value_high", "unit", "qualifier", "actor", "purpose",
                   "year", "vague", "item", "value_eur", "value_usd", "rate_date", "mentions", "text", "sentence",
                   "start", "end", "date", "title", "link", "value_low", "rate_basis", "claim_id"]


def tracker_table(figures_df, articles_df=None):
    """One row per figure per article: repeated mentions of a figure (same ``figure_key``) are merged
    into one row with ``mentions`` = their number, keeping the first mention's text and sentence and the
    first non-empty actor, qualifier, purpose and year among the mentions. Adds the article's ``date``
    and ``title`` (when ``articles_df`` is given) and a ``link`` to the reader."""

    if figures_df is None or len(figures_df) == 0:
        return pd.DataFrame(columns=TRACKER_COLUMNS)
    frame = figures_df.sort_values(["article_id", "start"], kind="stable")

    def first_filled(series):
        for value in series:
            if value is not None and value == value and value != "":
                return value
        return series.iloc[0] if len(series) else None

    agg = {c: "first" for c in ("kind", "value", "value_high", "unit", "vague", "item", "value_eur", "value_usd",
                                "rate_date", "text", "sentence", "start", "end", "value_low", "rate_basis", "claim_id")}
    agg.update({c: first_filled for c in ("qualifier", "actor", "purpose", "year")})
    grouped = frame.groupby(["article_id", "figure_key"], sort=False, dropna=False).agg(agg)
    grouped["mentions"] = frame.groupby(["article_id", "figure_key"], sort=False, dropna=False).size()
    grouped = grouped.reset_index()
    if articles_df is not None and len(articles_df):
        meta = articles_df[["article_id"]].copy()
        meta["title"] = articles_df["title"]
        meta["date"] = schema.effective_dates(articles_df)
        grouped = grouped.merge(meta, on="article_id", how="left")
    else:
        grouped["title"], grouped["date"] = "", ""
    grouped["date"] = grouped["date"].fillna("").astype(str)
    grouped["title"] = grouped["title"].fillna("").astype(str)
    grouped["actor"] = grouped["actor"].fillna("").astype(str)
    grouped["link"] = grouped["article_id"].map(reader_link)
    return grouped[TRACKER_COLUMNS]


def money_over_time(tracker_df, freq: str = "month"):
    """Money figures per period: columns period, figures, total_eur (sum of the EUR-normalised values,
    each figure once however often repeated). ``freq`` is ``month`` or ``year``; an article dated to
    the year only stays in its year ("2025"), undated figures go to period "undated"."""

    if freq not in ("month", "year"):
        raise ValueError("freq must be 'month' or 'year'")
    money_rows = tracker_df[tracker_df["kind"] == "money"] if len(tracker_df) else tracker_df
    if len(money_rows) == 0:
        return pd.DataFrame(columns=["period", "figures", "total_eur"])
    width = 7 if freq == "month" else 4
    period = money_rows["date"].fillna("").astype(str).map(lambda d: d[:width] if d else "undated")
    out = money_rows.assign(period=period, eur=pd.to_numeric(money_rows["value_eur"], errors="coerce"))
    out = out.groupby("period").agg(figures=("figure_key", "size"), total_eur=("eur", "sum")).reset_index()
    return out.sort_values("period", key=lambda s: s.replace("undated", "9999")).reset_index(drop=True)


def figures_over_time(tracker_df, freq: str = "month"):
    """Figures per period and kind (each repeated figure once): columns period, kind, figures."""

    if freq not in ("month", "year"):
        raise ValueError("freq must be 'month' or 'year'")
    if len(tracker_df) == 0:
        return pd.DataFrame(columns=["period", "kind", "figures"])
    width = 7 if freq == "month" else 4
    period = tracker_df["date"].fillna("").astype(str).map(lambda d: d[:width] if d else "undated")
    out = tracker_df.assign(period=period).groupby(["period", "kind"]).size().reset_index(name="figures")
    return out.sort_values(["period", "kind"], key=lambda s: s.replace("undated", "9999") if s.name == "period" else s) \
        .reset_index(drop=True)


def money_by_actor(tracker_df):
    """Money figures per actor ("" = unattributed): columns actor, figures, total_eur, largest_eur."""

    money_rows = tracker_df[tracker_df["kind"] == "money"] if len(tracker_df) else tracker_df
    if len(money_rows) == 0:
        return pd.DataFrame(columns=["actor", "figures", "total_eur", "largest_eur"])
    eur = pd.to_numeric(money_rows["value_eur"], errors="coerce")
    out = money_rows.assign(eur=eur, actor=money_rows["actor"].replace("", "(unattributed)"))
    out = out.groupby("actor").agg(figures=("figure_key", "size"), total_eur=("eur", "sum"),
                                   largest_eur=("eur", "max")).reset_index()
    return out.sort_values(["total_eur", "actor"], ascending=[False, True]).reset_index(drop=True)


def gdp_commitments(figures_df, articles_df=None):
    """Shares of GDP per actor against the NATO targets: one row per (actor, article, figure), newest
    first, columns actor, value, value_high, qualifier, purpose, year, date, meets_2, meets_3_5, meets_5,
    sentence, article_id, link. A "5% of GDP" call for the allies is a target, not what a country spends:
    read ``sentence``. Unattributed shares are kept with actor "(unattributed)"."""

    columns = ["actor", "value", "value_high", "qualifier", "purpose", "year", "date", "meets_2", "meets_3_5",
               "meets_5", "sentence", "article_id", "link"]
    table = tracker_table(figures_df, articles_df)
    shares = table[table["kind"] == "pct_gdp"].copy()
    if shares.empty:
        return pd.DataFrame(columns=columns)
    shares["actor"] = shares["actor"].replace("", "(unattributed)")
    value = pd.to_numeric(shares["value"], errors="coerce")
    shares["meets_2"] = value >= 2.0
    shares["meets_3_5"] = value >= 3.5
    shares["meets_5"] = value >= 5.0
    shares = shares.sort_values(["date", "actor"], ascending=[False, True], kind="stable")
    return shares[columns].reset_index(drop=True)


def figure_kind_counts(tracker_df):
    """Figures per kind (each repeated figure once) and their mentions: columns kind, figures, mentions."""

    if len(tracker_df) == 0:
        return pd.DataFrame(columns=["kind", "figures", "mentions"])
    out = tracker_df.groupby("kind").agg(figures=("figure_key", "size"), mentions=("mentions", "sum")).reset_index()
    return out.sort_values("kind").reset_index(drop=True)


def rate_dates(tracker_df) -> list[str]:
    """The dates of the exchange rates the shown money figures were converted at (stored with each figure)."""
    if len(tracker_df) == 0:
        return []
    return sorted({d for d in tracker_df["rate_date"].fillna("").astype(str) if d})
