"""Tension index over time, from the ``signals`` and ``articles`` tables (pure functions).

How it is computed (``METHOD`` holds the same text for the dashboard):

* Each signal carries ``score`` = effective polarity x |Goldstein value of its category| x
  modality weight (``data/signal_modalities.csv``; :func:`modality_text` says them),
  so escalation is positive and de-escalation negative (see ``pipeline.stages.signals``).
* Per period (day ``"D"``, ISO week ``"W"``, month ``"M"``, quarter ``"Q"`` or year ``"Y"``;
  :func:`auto_freq` picks the finest one that keeps the chart to at most ``MAX_POINTS`` periods):
  ``escalation`` is the sum of positive scores,
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
* Net tension of any set of signals (a page, a brief, a filter state): :func:`balance`, the
  same sums without the per-period split, so every headline figure agrees with the index.

Only articles dated to the day can be placed on a period; others are left out of the index.
:func:`timeline` computes the index and each signal's period once for a filter state, so
that a page can draw the chart and drill into any period without recomputing.
"""
from __future__ import annotations

import csv
import functools
from pathlib import Path

import pandas as pd

from pipeline import schema

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DYADS = ("all", "core", "context")
FREQUENCIES = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
#: pandas offsets of the period starts (weeks start on Monday).
_PERIOD_STARTS = {"D": "D", "W": "W-MON", "M": "MS", "Q": "QS", "Y": "YS"}
_PERIOD_DAYS = {"D": 1, "W": 7, "M": 30.44, "Q": 91.31, "Y": 365.25}
#: At most this many periods on the chart when the period is chosen automatically.
MAX_POINTS = 400

def modality_text() -> str:
    """The modality weights in words, from the one table of them (``schema.signal_weights``)."""
    weights = schema.signal_weights()
    background = weights.pop("background")
    groups: dict[float, list[str]] = {}
    for modality, weight in weights.items():
        groups.setdefault(weight, []).append(modality)
    parts = [f"{' or '.join(names)} {weight}" for weight, names in sorted(groups.items(), reverse=True)]
    share = "half" if background == 0.5 else f"{background:g} of its weight"
    return ", ".join(parts) + f"; an event mentioned only as background (\"after the Russian invasion\") counts {share}"


METHOD = (
    "Each tension signal is one cue in one sentence (at most one per category and sentence), scored with the "
    "Goldstein value of its CAMEO/PLOVER category, signed +1 for escalation and -1 for de-escalation after "
    "negation (\"does not want a new arms race\" counts as de-escalation), and weighted by modality: "
    + modality_text() + ". For each period (day, week, month, quarter or year, chosen "
    f"from the date span so that the chart has at most {MAX_POINTS} points; you can pick another) the index adds up "
    "escalation and de-escalation separately over the articles dated to the day in that period and divides "
    "each by their number, so busy news days do not look tense by volume alone; net = escalation - "
    "de-escalation. A spike is a period whose net per article lies at least 2 standard deviations above the "
    "mean of the 7 previous periods with articles. The dyad filter keeps NATO and its member states (from "
    "their accession date) versus Russia (core) or Russia versus Ukraine (context). Pick a period below the "
    "chart to read the sentences behind it."
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
    wanted = {"core": ("nato", "russia"), "context": ("russia", "ukraine")}[dyad]
    if dates is not None:
        dates = pd.Series(list(dates), index=signals.index)
        # membership only changes on a handful of dates: resolve each distinct (code, date) once
        pairs = pd.concat([signals["source_country"], signals["target_country"]]).fillna("").astype(str)
        both_dates = pd.concat([dates, dates]).astype(str)
        lookup = {key: side_of(key[0], key[1]) for key in set(zip(pairs, both_dates))}
        source = pd.Series([lookup[(str(c or ""), str(d))] for c, d in
                            zip(signals["source_country"].fillna(""), dates.astype(str))], index=signals.index)
        target = pd.Series([lookup[(str(c or ""), str(d))] for c, d in
                            zip(signals["target_country"].fillna(""), dates.astype(str))], index=signals.index)
    else:
        codes = pd.concat([signals["source_country"], signals["target_country"]]).fillna("").astype(str).unique()
        lookup = {code: side_of(code) for code in codes}
        source = signals["source_country"].fillna("").astype(str).map(lookup)
        target = signals["target_country"].fillna("").astype(str).map(lookup)
    a, b = wanted
    both = ((source == a) & (target == b)) | ((source == b) & (target == a))
    source_named = signals["source_country"].fillna("").astype(str) != ""
    target_named = signals["target_country"].fillna("").astype(str) != ""
    one_unknown = (source.isin(wanted) & ~target_named) | (target.isin(wanted) & ~source_named)
    keep = both if require_both else both | one_unknown
    return signals.loc[keep]


def _period_of(dates: pd.Series, freq: str) -> pd.Series:
    parsed = pd.to_datetime(dates, format="%Y-%m-%d", errors="coerce")
    if freq == "D":
        return parsed.dt.normalize()
    if freq == "W":
        return parsed.dt.to_period("W-SUN").dt.start_time
    return parsed.dt.to_period({"M": "M", "Q": "Q", "Y": "Y"}[freq]).dt.start_time


def _dated_articles(articles: pd.DataFrame) -> pd.DataFrame:
    mask = (articles["date"].fillna("").astype(str).str.fullmatch(r"\d{4}-\d{2}-\d{2}")
            & (articles["date_precision"] == "day"))
    return articles.loc[mask]


def _check_freq(freq: str) -> None:
    if freq not in FREQUENCIES:
        raise ValueError(f"freq must be one of {tuple(FREQUENCIES)}, not {freq!r}")


def period_count(articles: pd.DataFrame, freq: str) -> int:
    """Number of periods of ``freq`` from the first to the last article dated to the day (0 if none)."""
    _check_freq(freq)
    dated = _dated_articles(articles)
    if dated.empty:
        return 0
    periods = _period_of(dated["date"], freq).dropna()
    if periods.empty:
        return 0
    return len(pd.date_range(periods.min(), periods.max(), freq=_PERIOD_STARTS[freq]))


def frequency_choices(articles: pd.DataFrame, max_periods: int = 2000) -> tuple[str, list[str]]:
    """The automatic period (:func:`auto_freq`) and the periods an analyst may pick: it and every one
    that gives at most ``max_periods`` periods (finer ones would not be drawable)."""
    auto = auto_freq(articles)
    return auto, [f for f in FREQUENCIES if f == auto or period_count(articles, f) <= max_periods]


def auto_freq(articles: pd.DataFrame, max_points: int = MAX_POINTS) -> str:
    """The finest period (day, week, month, quarter, year) with at most ``max_points`` periods.

    Three weeks of news are shown by day, two years by week, decades by month or quarter.
    """
    if max_points < 1:
        raise ValueError("max_points must be at least 1")
    dated = _dated_articles(articles)
    if dated.empty:
        return "D"
    parsed = pd.to_datetime(dated["date"], format="%Y-%m-%d", errors="coerce").dropna()
    if parsed.empty:
        return "D"
    span_days = (parsed.max() - parsed.min()).days + 1
    for freq in FREQUENCIES:
        if span_days / _PERIOD_DAYS[freq] <= max_points - 1:
            return freq
    return "Y"


def period_length(freq: str) -> pd.Timedelta:
    """Typical length of one period (for bar widths on a date axis)."""
    _check_freq(freq)
    return pd.Timedelta(days=_PERIOD_DAYS[freq])


def period_span(period, freq: str) -> tuple[str, str]:
    """The first and last day (ISO) of the period starting at ``period``: what a click on its bar filters to."""
    _check_freq(freq)
    stamp = pd.Timestamp(period).normalize()
    if freq == "D":
        last = stamp
    elif freq == "W":
        last = stamp + pd.Timedelta(days=6)
    else:
        last = stamp.to_period({"M": "M", "Q": "Q", "Y": "Y"}[freq]).end_time.normalize()
    return f"{stamp:%Y-%m-%d}", f"{last:%Y-%m-%d}"


def period_label(period, freq: str) -> str:
    """How a period reads: 2022-02-24 (day), week of 2022-02-21, 2022-02 (month), 2022-Q1, 2022."""
    _check_freq(freq)
    stamp = pd.Timestamp(period)
    if freq == "D":
        return f"{stamp:%Y-%m-%d}"
    if freq == "W":
        return f"week of {stamp:%Y-%m-%d}"
    if freq == "M":
        return f"{stamp:%Y-%m}"
    if freq == "Q":
        return f"{stamp.year}-Q{stamp.quarter}"
    return f"{stamp.year}"


#: The one tension measure, under one name on every page: the sum of signal scores (Goldstein-weighted).
MEASURE = "Tension score"
MEASURE_HELP = ("Tension score: each signal scores the Goldstein value of its category (CAMEO/PLOVER, up to 10), "
                "signed + for escalation and - for de-escalation, weighted by modality (negated, hypothetical, future "
                "and reported signals weigh less). Net = escalation minus de-escalation. The same sum on every page.")


def signal_scores(signals: pd.DataFrame) -> pd.Series:
    """Signed score of each signal: its ``score``, else (a signal stored without one) polarity x weight.

    This is THE measure of tension: the index, :func:`balance` and the evidence ranking use it (and
    ``pipeline.read.aggregate`` says it in SQL: ``COALESCE(score, polarity * weight)``).
    """
    fallback = (pd.to_numeric(signals["polarity"], errors="coerce").fillna(0)
                * pd.to_numeric(signals["weight"], errors="coerce").fillna(0.0))
    return pd.to_numeric(signals["score"], errors="coerce").fillna(fallback)


def balance(signals: pd.DataFrame) -> dict:
    """Escalation, de-escalation and net tension of a set of signals, as the index computes them.

    ``escalation`` is the sum of positive :func:`signal_scores` (Goldstein magnitude x modality
    weight), ``deescalation`` the sum of the magnitudes of negative ones, ``net`` their
    difference (positive = escalation dominates), ``signals`` the number of rows. Not
    normalised by volume: the index's ``*_per_article`` columns are these sums per article.
    """
    if signals is None or len(signals) == 0:
        return {"escalation": 0.0, "deescalation": 0.0, "net": 0.0, "signals": 0}
    scores = signal_scores(signals)
    escalation = float(scores[scores > 0].sum())
    deescalation = float(-scores[scores < 0].sum()) + 0.0   # never "-0.0" on the page
    return {"escalation": round(escalation, 2), "deescalation": round(deescalation, 2),
            "net": round(escalation - deescalation, 2), "signals": int(len(signals))}


def strongest(signals: pd.DataFrame, limit: int = 500) -> pd.DataFrame:
    """The ``limit`` signals with the largest |score| (stable order among equals)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    order = signal_scores(signals).abs().sort_values(ascending=False, kind="stable").index[:limit]
    return signals.loc[order]


class Timeline:
    """The index of one filter state and the dated signals behind it (see :func:`timeline`)."""

    def __init__(self, index: pd.DataFrame, signals: pd.DataFrame, freq: str, dyad: str):
        self.index = index
        self.signals = signals  # dyad-filtered, dated signals with ``period``, ``title``, ``date``
        self.freq = freq
        self.dyad = dyad

    def evidence(self, period) -> pd.DataFrame:
        """The signals behind one period, strongest |score| first."""
        wanted = pd.Timestamp(period)
        found = self.signals.loc[self.signals["period"] == wanted]
        order = signal_scores(found).abs().sort_values(ascending=False, kind="stable").index
        return found.loc[order].drop(columns="period").reset_index(drop=True)


def timeline(signals: pd.DataFrame, articles: pd.DataFrame, *, freq: str | None = None, dyad: str = "all",
             window: int = 7, min_periods: int = 3, threshold: float = 2.0,
             require_both: bool = False) -> Timeline:
    """Index and drill-down of one filter state, computed once (``freq=None``: :func:`auto_freq`)."""
    freq = auto_freq(articles) if freq is None else freq
    _check_freq(freq)
    if window < 2 or min_periods < 2:
        raise ValueError("window and min_periods must be at least 2")
    dated = _dated_articles(articles)
    ids = dated["article_id"].astype(str)
    article_period = pd.Series(_period_of(dated["date"], freq).values, index=ids)
    article_date = pd.Series(dated["date"].values, index=ids)
    sig = signals
    if not sig.empty:
        sig_ids = sig["article_id"].astype(str)
        sig = sig.loc[sig_ids.isin(article_period.index)]
        sig = filter_dyad(sig, dyad, dates=sig["article_id"].astype(str).map(article_date),
                          require_both=require_both)
    if sig.empty:   # (mapping an empty id column onto dates fails in pandas 3)
        sig = sig.assign(period=pd.Series(dtype="datetime64[ns]"), title=pd.Series(dtype=object),
                         date=pd.Series(dtype=object))
    else:
        sig_ids = sig["article_id"].astype(str)
        # the evidence lists each signal with its article's title and day (the signals table holds neither)
        sig = sig.assign(period=sig_ids.map(article_period).values,
                         title=sig_ids.map(pd.Series(dated["title"].values, index=ids)).values,
                         date=sig_ids.map(article_date).values)
    frame = _index_frame(sig, article_period, freq, window=window, min_periods=min_periods, threshold=threshold)
    return Timeline(frame, sig, freq, dyad)


def _index_frame(sig: pd.DataFrame, article_period: pd.Series, freq: str, *, window: int, min_periods: int,
                 threshold: float) -> pd.DataFrame:
    if article_period.empty:
        return pd.DataFrame(columns=INDEX_COLUMNS)
    volume = article_period.value_counts()
    periods = pd.date_range(article_period.min(), article_period.max(), freq=_PERIOD_STARTS[freq])
    frame = pd.DataFrame({"period": periods})
    frame["articles"] = frame["period"].map(volume).fillna(0).astype(int)
    if sig.empty:
        frame["signals"] = 0
        frame["escalation"] = 0.0
        frame["deescalation"] = 0.0
    else:
        scores = signal_scores(sig)
        per = pd.DataFrame({"period": sig["period"].values,
                            "escalation": scores.clip(lower=0).values,
                            "deescalation": (-scores).clip(lower=0).values})
        sums = per.groupby("period").agg(signals=("escalation", "size"), escalation=("escalation", "sum"),
                                         deescalation=("deescalation", "sum"))
        frame["signals"] = frame["period"].map(sums["signals"]).fillna(0).astype(int)
        frame["escalation"] = frame["period"].map(sums["escalation"]).fillna(0.0)
        frame["deescalation"] = frame["period"].map(sums["deescalation"]).fillna(0.0)
    frame["net"] = frame["escalation"] - frame["deescalation"]
    has_articles = frame["articles"] > 0
    for name in ("escalation", "deescalation", "net"):
        frame[f"{name}_per_article"] = (frame[name] / frame["articles"]).where(has_articles)
    frame["zscore"] = rolling_zscore(frame["net_per_article"], window=window, min_periods=min_periods)
    frame["spike"] = frame["zscore"].fillna(float("-inf")) >= threshold
    return frame[INDEX_COLUMNS]


def index(signals: pd.DataFrame, articles: pd.DataFrame, *, freq: str = "D", dyad: str = "all",
          window: int = 7, min_periods: int = 3, threshold: float = 2.0,
          require_both: bool = False) -> pd.DataFrame:
    """Tension index per period: columns ``INDEX_COLUMNS``, one row per period from first to last.

    Periods without articles have ``articles == 0`` and NaN per-article values (and are not
    used in the rolling statistics).
    """
    return timeline(signals, articles, freq=freq, dyad=dyad, window=window, min_periods=min_periods,
                    threshold=threshold, require_both=require_both).index


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
    return timeline(signals, articles, freq=freq, dyad=dyad, require_both=require_both).evidence(period)
