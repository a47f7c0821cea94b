"""Topic clusters as the Topic clusters page shows them: the cluster list, the document map, copies, timelines.

Pure functions over the ``articles``, ``assignments`` and ``clusters`` tables (moved out of the topics stage,
so a page imports no scikit-learn).
"""
from __future__ import annotations

import json

import pandas as pd

from pipeline import schema
from pipeline.schema import UNCLUSTERED_ID, UNCLUSTERED_LABEL


def _articles(articles: pd.DataFrame) -> pd.DataFrame:
    """The id, title and ``duplicate_of`` of each article, as strings ("" for a missing value), one row per id,
    in id order (the pages pass only these columns)."""
    frame = articles[["article_id", "title", "duplicate_of"]].copy()
    for col in ("title", "duplicate_of"):
        frame[col] = frame[col].fillna("").astype(str)
    frame["article_id"] = frame["article_id"].astype(str)
    frame = frame.drop_duplicates("article_id", keep="first")
    return frame.sort_values("article_id", kind="stable").reset_index(drop=True)



_FREQ_PRECISION = {"W": 10, "M": 7}


def topics_over_time(articles: pd.DataFrame, assignments: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """Articles per cluster per period: columns period (ISO date of the period start), cluster_id, count.

    Copies (``duplicate_of`` set) are not counted. ``freq`` is "W" (weeks starting Monday) or
    "M" (months); articles whose date is not precise enough for ``freq`` (a bare year, or a
    month for weekly counts) are left out rather than guessed.
    """
    if freq not in _FREQ_PRECISION:
        raise ValueError("freq must be 'W' or 'M'")
    out_cols = ["period", "cluster_id", "count"]
    if articles is None or assignments is None or len(articles) == 0 or len(assignments) == 0:
        return pd.DataFrame(columns=out_cols)
    frame = articles[["article_id"]].copy()
    frame["article_id"] = frame["article_id"].astype(str)
    frame["date"] = articles["date"].fillna("").astype(str)
    frame["duplicate_of"] = articles["duplicate_of"].fillna("").astype(str)
    frame = frame[(frame["duplicate_of"] == "") & (frame["date"].str.len() >= _FREQ_PRECISION[freq])]
    a = assignments[["article_id", "cluster_id"]].copy()
    a["article_id"] = a["article_id"].astype(str)
    frame = frame.merge(a, on="article_id", how="inner")
    if frame.empty:
        return pd.DataFrame(columns=out_cols)
    dates = pd.to_datetime(frame["date"].str.slice(0, _FREQ_PRECISION[freq]), errors="coerce",
                           format="%Y-%m-%d" if freq == "W" else "%Y-%m")
    frame = frame.assign(dt=dates).dropna(subset=["dt"])
    if freq == "W":
        period = frame["dt"] - pd.to_timedelta(frame["dt"].dt.day_of_week, unit="D")
    else:
        period = frame["dt"].dt.to_period("M").dt.start_time
    frame = frame.assign(period=period.dt.strftime("%Y-%m-%d"))
    out = frame.groupby(["period", "cluster_id"]).size().reset_index(name="count")
    out["cluster_id"] = out["cluster_id"].astype(int)
    out["count"] = out["count"].astype(int)
    return out.sort_values(["period", "cluster_id"], kind="stable").reset_index(drop=True)[out_cols]


def copies_table(articles: pd.DataFrame) -> pd.DataFrame:
    """Which articles are copies of which: columns article_id, title, original_id, original_title."""
    cols = ["article_id", "title", "original_id", "original_title"]
    if articles is None or len(articles) == 0:
        return pd.DataFrame(columns=cols)
    frame = _articles(articles)
    titles = dict(zip(frame["article_id"], frame["title"]))
    copies = frame[(frame["duplicate_of"] != "") & (frame["duplicate_of"] != frame["article_id"])]
    return pd.DataFrame({
        "article_id": copies["article_id"].to_numpy(),
        "title": copies["title"].to_numpy(),
        "original_id": copies["duplicate_of"].to_numpy(),
        "original_title": [titles.get(o, "") for o in copies["duplicate_of"]],
    }, columns=cols).reset_index(drop=True)


def map_frame(articles: pd.DataFrame, assignments: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    """Rows for the document map: article_id, title, cluster_id, cluster label, map_x, map_y, is_copy."""
    cols = ["article_id", "title", "cluster_id", "label", "map_x", "map_y", "is_copy"]
    if assignments is None or len(assignments) == 0:
        return pd.DataFrame(columns=cols)
    frame = _articles(articles)[["article_id", "title", "duplicate_of"]]
    a = assignments.copy()
    a["article_id"] = a["article_id"].astype(str)
    out = a.merge(frame, on="article_id", how="left")
    labels = dict(zip(clusters["cluster_id"].astype(int), clusters["label"])) if len(clusters) else {}
    labels.setdefault(UNCLUSTERED_ID, UNCLUSTERED_LABEL)
    out["label"] = [labels.get(int(c), f"Topic {c}") for c in out["cluster_id"]]
    out["title"] = out["title"].fillna("")
    out["is_copy"] = out["duplicate_of"].fillna("") != ""
    return out[cols]


def cluster_summary(articles: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    """The cluster list of the page for the articles shown (already filtered).

    Columns: cluster_id, label, size (original articles shown, copies excluded), copies (copies
    shown), headlines (the stored representative titles, " | "-joined), top_terms, first_date,
    last_date (of the articles shown). Largest first, Unclustered last.
    """
    cols = ["cluster_id", "label", "size", "copies", "headlines", "top_terms", "first_date", "last_date"]
    if articles is None or len(articles) == 0:
        return pd.DataFrame(columns=cols)
    frame = articles.copy()
    frame["cluster_id"] = pd.to_numeric(frame["cluster_id"], errors="coerce").fillna(UNCLUSTERED_ID).astype(int)
    frame["is_copy"] = frame["duplicate_of"].fillna("").astype(str) != ""
    frame["date"] = frame["date"].fillna("").astype(str)
    info = clusters.copy() if clusters is not None and len(clusters) else schema.empty("clusters")
    info["cluster_id"] = info["cluster_id"].astype(int)
    info = info.set_index("cluster_id")
    rows = []
    for cid, group in frame.groupby("cluster_id"):
        originals = group[~group["is_copy"]]
        dates = sorted(d for d in originals["date"] if d)
        meta = info.loc[cid] if cid in info.index else None
        try:
            heads = json.loads(meta["headlines"]) if meta is not None and meta["headlines"] else []
        except (TypeError, json.JSONDecodeError):
            heads = []
        rows.append({
            "cluster_id": int(cid),
            "label": (meta["label"] if meta is not None else "") or (UNCLUSTERED_LABEL if cid == UNCLUSTERED_ID else f"Topic {cid}"),
            "size": int(len(originals)),
            "copies": int(group["is_copy"].sum()),
            "headlines": " | ".join(heads),
            "top_terms": meta["top_terms"] if meta is not None else "",
            "first_date": dates[0] if dates else "",
            "last_date": dates[-1] if dates else "",
        })
    out = pd.DataFrame(rows, columns=cols)
    out["_last"] = out["cluster_id"] == UNCLUSTERED_ID
    out = out.sort_values(["_last", "size", "cluster_id"], ascending=[True, False, True], kind="stable")
    return out.drop(columns="_last").reset_index(drop=True)
