"""Tension index over time, from the ``signals`` and ``articles`` tables (pure functions).

How it is computed (``METHOD`` holds the same text for the dashboard):

* Each signal carries ``score`` = effective polarity x |Goldstein value of its category| x
  modality weight (asserted 1.0, reported 0.8, negated 0.5, future 0.5, hypothetical 0.25),
  so escalation is positive and de-escalation negative (see ``pipeline.signals``).
* Per period (day ``"D"`` or ISO week ``"W"``): ``escalation`` is the sum of positive scores,
  ``deescalation`` the sum of |negative scores|, ``net`` their difference. Each is divided by
  the number of dated articles published in that period (``articles``), so a busy news day
  does not look tense just because there is more news: ``*_per_article`` columns.
* Spikes: the z-score of ``net_per_article`` against the previous ``window`` periods (rolling
  mean and standard deviation, at least ``min_periods`` of them); a period is a spike when the
  z-score reaches ``threshold`` (default 2.0).
* Dyad filter: ``core`` keeps signals between NATO or a member state (on the article's date)
  and Russia; ``context`` keeps Russia <-> Ukraine; ``all`` keeps everything. With
  ``require_both=False`` (default) a signal whose other side is unknown counts when its known
  side belongs to the dyad ("the Russian invasion", no target named).
* Drill-down: ``evidence`` returns the signals behind one period, strongest first.

Only articles dated to the day can be placed on a day or week; others are counted in
``undated_articles`` of :func:`index` metadata and left out.
"""
from __future__ import annotations

import csv
import functools
from pathlib import Path

import pandas as pd

DATA_DIR = Path(__file__).resolve().parent / "data"
DYADS = ("all", "core", "context")
FREQUENCIES = {"D": "day", "W": "week"}

METHOD = (
    "Every tension signal is a cue sentence scored on the Goldstein conflict-cooperation scale "
    "(CAMEO/PLOVER category), signed +1 for escalation and -1 for de-escalation after negation "
    "(\"does not want a new arms race\" counts as de-escalation), and weighted by modality: asserted 1.0, "
    "reported 0.8, negated or future 0.5, hypothetical 0.25. For each day or week the index adds up "
    "escalation and de-escalation separately and divides them by the number of articles published that "
    "period, so heavy news days do not look tense by volume alone; net = escalation - de-escalation. "
    "A spike is a period whose net index lies at least 2 standard deviations above the mean of the "
    "previous periods (rolling z-score). The dyad filter keeps NATO and its member states versus Russia "
    "(core) or Russia versus Ukraine (context). Click a period to read the sentences behind it."
)

INDEX_COLUMNS = ["period", "articles", "signals", "escalation", "deescalation", "net",
                 "escalation_per_article", "deescalation_per_article", "net_per_article", "zscore", "spike"]


@functools.lru_cache(maxsize=1)
def load_dyad_sides() -> dict[str, list[tuple[str, str]]]:
    """Dyad sides from ``data/tension_dyads.csv``: side -> [(code, member_since)]."""
    sides: dict[str, list[tuple[str, str]]] = {}
    with open(DATA_DIR / "tension_dyads.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            sides.setdefault(row["side"], []).append((row["code"], row["member_since"] or ""))
    return sides


def side_of(code: str, date: str | None = None) -> str:
    """``"nato"``, ``"russia"``, ``"ukraine"`` or ``""`` for an actor affiliation code on a date.

    NATO membership is dated: Finland counts from 2023-04-04, Sweden from 2024-03-07. With no
    date, current membership is used.
    """
    if not code:
        return ""
    for side, members in load_dyad_sides().items():
        for member, since in members:
            if member == code:
                if date and since and str(date)[:10] < since[: len(str(date)[:10])]:
                    return ""
                return side
    return ""


def dyad_of(source_code: str, target_code: str, date: str | None = None) -> str:
    """``"core"`` (NATO side <-> Russia), ``"context"`` (Russia <-> Ukraine) or ``"other"``."""
    sides = {side_of(source_code, date), side_of(target_code, date)}
    if sides == {"nato", "russia"}:
        return "core"
    if sides == {"russia", "ukraine"}:
        return "context"
    return "other"


def filter_dyad(signals: pd.DataFrame, dyad: str = "all", *, dates: pd.Series | None = None,
                require_both: bool = False) -> pd.DataFrame:
    """Signals of one dyad (``all`` | ``core`` | ``context``); see the module docstring."""
    if dyad not in DYADS:
        raise ValueError(f"dyad must be one of {DYADS}, not {dyad!r}")
    if dyad == "all" or signals.empty:
        return signals
    if "source_country" not in signals.columns or "target_country" not in signals.columns:
        return signals.iloc[0:0]
    wanted = {"core": {"nato", "russia"}, "context": {"russia", "ukraine"}}[dyad]
    date_values = dates if dates is not None else pd.Series([None] * len(signals), index=signals.index)
    keep = []
    for (_, row), date in zip(signals.iterrows(), date_values):
        s = side_of(str(row["source_country"] or ""), date)
        t = side_of(str(row["target_country"] or ""), date)
        known = {x for x in (s, t) if x}
        if not known or not known <= wanted:
            keep.append(False)
        elif known == wanted:
            keep.append(True)
        else:
            unknown_side = not (row["source_country"] and row["target_country"])
            keep.append(not require_both and unknown_side)
    return signals.loc[keep]


def _period_of(dates: pd.Series, freq: str) -> pd.Series:
    parsed = pd.to_datetime(dates, format="%Y-%m-%d", errors="coerce")
    if freq == "D":
        return parsed.dt.normalize()
    return parsed.dt.to_period("W-SUN").dt.start_time


def _dated_articles(articles: pd.DataFrame) -> pd.DataFrame:
    precision = articles["date_precision"] if "date_precision" in articles.columns else "day"
    mask = articles["date"].fillna("").astype(str).str.fullmatch(r"\d{4}-\d{2}-\d{2}") & (precision == "day")
    return articles.loc[mask]


def signal_scores(signals: pd.DataFrame) -> pd.Series:
    """Signed score of each signal: its ``score`` column, else polarity x weight."""
    if "score" in signals.columns:
        return pd.to_numeric(signals["score"], errors="coerce").fillna(0.0)
    return (pd.to_numeric(signals["polarity"], errors="coerce").fillna(0)
            * pd.to_numeric(signals["weight"], errors="coerce").fillna(0.0))


def index(signals: pd.DataFrame, articles: pd.DataFrame, *, freq: str = "D", dyad: str = "all",
          window: int = 7, min_periods: int = 3, threshold: float = 2.0,
          require_both: bool = False) -> pd.DataFrame:
    """Tension index per period: columns ``INDEX_COLUMNS``, one row per period from first to last.

    Periods without articles have ``articles == 0`` and NaN per-article values (and are not
    used in the rolling statistics).
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {tuple(FREQUENCIES)}, not {freq!r}")
    if window < 2 or min_periods < 2:
        raise ValueError("window and min_periods must be at least 2")
    dated = _dated_articles(articles)
    if dated.empty:
        return pd.DataFrame(columns=INDEX_COLUMNS)
    article_period = pd.Series(_period_of(dated["date"], freq).values, index=dated["article_id"].astype(str))
    volume = article_period.value_counts()
    sig = signals.loc[signals["article_id"].astype(str).isin(article_period.index)] if not signals.empty else signals
    if not sig.empty:
        sig = filter_dyad(sig, dyad, dates=sig["article_id"].astype(str).map(
            dated.set_index(dated["article_id"].astype(str))["date"]), require_both=require_both)
    periods = pd.date_range(article_period.min(), article_period.max(), freq="D" if freq == "D" else "7D")
    frame = pd.DataFrame({"period": periods})
    frame["articles"] = frame["period"].map(volume).fillna(0).astype(int)
    if sig.empty:
        frame["signals"] = 0
        frame["escalation"] = 0.0
        frame["deescalation"] = 0.0
    else:
        scores = signal_scores(sig)
        per = pd.DataFrame({"period": sig["article_id"].astype(str).map(article_period).values,
                            "score": scores.values})
        grouped = per.groupby("period")["score"]
        frame["signals"] = frame["period"].map(grouped.size()).fillna(0).astype(int)
        frame["escalation"] = frame["period"].map(grouped.apply(lambda s: s[s > 0].sum())).fillna(0.0)
        frame["deescalation"] = frame["period"].map(grouped.apply(lambda s: -s[s < 0].sum())).fillna(0.0)
    frame["net"] = frame["escalation"] - frame["deescalation"]
    has_articles = frame["articles"] > 0
    for name in ("escalation", "deescalation", "net"):
        frame[f"{name}_per_article"] = (frame[name] / frame["articles"]).where(has_articles)
    frame["zscore"] = rolling_zscore(frame["net_per_article"], window=window, min_periods=min_periods)
    frame["spike"] = frame["zscore"].fillna(float("-inf")) >= threshold
    return frame[INDEX_COLUMNS]


def rolling_zscore(values: pd.Series, *, window: int = 7, min_periods: int = 3) -> pd.Series:
    """z-score of each value against the previous ``window`` non-missing values (NaN if too few)."""
    present = values.dropna()
    history = present.shift(1).rolling(window, min_periods=min_periods)
    mean, std = history.mean(), history.std()
    z = (present - mean) / std.where(std > 0)
    return z.reindex(values.index)


def evidence(signals: pd.DataFrame, articles: pd.DataFrame, period, *, freq: str = "D",
             dyad: str = "all", require_both: bool = False) -> pd.DataFrame:
    """The signals behind one period of :func:`index`, strongest |score| first, with title and date."""
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {tuple(FREQUENCIES)}, not {freq!r}")
    dated = _dated_articles(articles)
    if dated.empty or signals.empty:
        return signals.iloc[0:0]
    article_period = pd.Series(_period_of(dated["date"], freq).values, index=dated["article_id"].astype(str))
    wanted = pd.Timestamp(period)
    ids = set(article_period.index[article_period == wanted])
    sig = signals.loc[signals["article_id"].astype(str).isin(ids)]
    dates = sig["article_id"].astype(str).map(dated.set_index(dated["article_id"].astype(str))["date"])
    sig = filter_dyad(sig, dyad, dates=dates, require_both=require_both)
    meta = dated.assign(article_id=dated["article_id"].astype(str))[
        [c for c in ("article_id", "title", "date") if c in dated.columns]]
    out = sig.assign(article_id=sig["article_id"].astype(str)).merge(meta, on="article_id", how="left")
    out = out.assign(_strength=signal_scores(out).abs().values).sort_values("_strength", ascending=False)
    return out.drop(columns="_strength").reset_index(drop=True)
