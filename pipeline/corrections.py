"""Analyst corrections of tension signals: stored in the store, applied on read, exported as training data.

An analyst can mark a signal wrong, change its category, its direction (escalation or de-escalation) or its
modality, or mark a sentence the coder missed. Each correction is one row of ``signal_corrections`` (declared
in ``pipeline/schema.py``): when, what (``action``), the signal it corrects (``article_id``, ``start``,
``end`` and its original category, modality and polarity) and the new values.

Corrections are never written into ``signals``: :func:`apply` lays them over the stored signals each time the
tables are read (:func:`pipeline.read.tables.load_tables`), so they change every page and the tension index at
once, and survive ``run`` and ``retag``: a correction re-attaches to the re-extracted signal with the same
article, span and original category; one whose signal is no longer found stays stored, marked not
``attached`` (:func:`attached`). A missed sentence becomes a signal of its own (``confidence`` 1.0, ``corrected`` =
``"added by analyst"``).

``python -m pipeline export`` writes the corrections (``signal_corrections``), and
:func:`training_rows` turns them into sentences in the annotated corpus's format, which
``python -m pipeline train signals --with-corrections --store DIR`` adds to the train split.
"""
from __future__ import annotations

import datetime as dt
from contextlib import closing
from pathlib import Path

import pandas as pd

from pipeline import schema, store

ACTIONS = ("wrong", "recategorise", "redirect", "remodal", "missed")
#: What the ``corrected`` column says of a corrected signal (blank when not corrected).
MARKERS = {"recategorise": "category corrected", "redirect": "direction corrected", "remodal": "modality corrected",
           "missed": "added by analyst"}
MODALITIES = ("asserted", "negated", "hypothetical", "future", "reported")
TABLE = "signal_corrections"


class CorrectionError(ValueError):
    """A correction that cannot be stored (unknown action, category or modality; a span outside the text)."""


def add(store_dir: str | Path, action: str, article_id: str, start: int, end: int, *, original: dict | None = None,
        category: str = "", modality: str = "", polarity: int | None = None, source_actor: str = "",
        target_actor: str = "", note: str = "") -> int:
    """Store one correction and return its id.

    ``original``: the signal corrected (a row of ``signals``: its category, modality, polarity, actors); for
    ``missed``, ``start``/``end`` give the sentence (or words) the coder missed and ``category``/``modality``/
    ``polarity`` what the analyst codes there (polarity defaults to the category's direction, flipped when
    negated). ``recategorise`` needs ``category``, ``remodal`` ``modality``, ``redirect`` ``polarity`` (+1 or -1).
    """
    if action not in ACTIONS:
        raise CorrectionError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
    cats = schema.signal_categories()
    original = dict(original or {})
    if action != "missed" and not original.get("category"):
        raise CorrectionError("a correction of a signal needs the signal (its original category)")
    if action in ("recategorise", "missed") and category not in cats:
        raise CorrectionError(f"unknown signal category {category!r}")
    if action in ("remodal", "missed") and modality and modality not in MODALITIES:
        raise CorrectionError(f"modality must be one of {', '.join(MODALITIES)}, not {modality!r}")
    if action == "remodal" and not modality:
        raise CorrectionError("a modality correction needs the new modality")
    if action == "redirect" and polarity not in (1, -1):
        raise CorrectionError("a direction correction needs polarity +1 (escalation) or -1 (de-escalation)")
    start, end = int(start), int(end)
    if start < 0 or end <= start:
        raise CorrectionError(f"span {start}-{end} is not a span of the text")
    row = {
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "action": action,
        "article_id": str(article_id), "start": start, "end": end,
        "original_category": str(original.get("category") or ""), "original_modality": str(original.get("modality") or ""),
        "original_polarity": int(original["polarity"]) if original.get("polarity") not in (None, "") else None,
        "category": category, "modality": modality if action in ("remodal", "missed") else "",
        "polarity": int(polarity) if polarity is not None else None,
        "source_actor": source_actor, "target_actor": target_actor, "note": note,
    }
    with closing(store.connect(store_dir)) as conn:
        text = conn.execute("SELECT text FROM articles WHERE article_id = ?", (row["article_id"],)).fetchone()
        if text is None:
            raise CorrectionError(f"no article {article_id!r} in the store")
        if end > len(text[0]):
            raise CorrectionError(f"span {start}-{end} lies outside the article's text ({len(text[0])} characters)")
        conn.execute("BEGIN IMMEDIATE")
        store.ensure_tables(conn, (TABLE,))
        names = list(row)
        cursor = conn.execute(f'INSERT INTO {TABLE} ({", ".join(names)}) VALUES ({", ".join("?" for _ in names)})',
                              [row[n] for n in names])
        conn.execute("COMMIT")
        return int(cursor.lastrowid)


def delete(store_dir: str | Path, correction_id: int) -> bool:
    """Withdraw a correction (the signal is read as the pipeline found it again)."""
    with closing(store.connect(store_dir)) as conn:
        store.ensure_tables(conn, (TABLE,))
        return conn.execute(f"DELETE FROM {TABLE} WHERE correction_id = ?", (int(correction_id),)).rowcount > 0


def read(store_dir: str | Path) -> pd.DataFrame:
    """Every stored correction, oldest first (the declared columns; empty when there are none)."""
    if not store.exists(store_dir):
        return schema.empty(TABLE)[schema.stored_columns(TABLE)]
    from pipeline.store import parquet  # noqa: PLC0415

    if parquet.is_parquet(store_dir):   # (corrections are written to SQLite stores; a converted store keeps them)
        frame = store.read(store_dir, TABLE, schema.stored_columns(TABLE))
        return frame.sort_values("correction_id").reset_index(drop=True)[schema.stored_columns(TABLE)]
    with closing(store.connect(store_dir)) as conn:
        if TABLE not in store.table_names(conn):
            return schema.empty(TABLE)[schema.stored_columns(TABLE)]
        return pd.read_sql_query(f"SELECT * FROM {TABLE} ORDER BY correction_id", conn)[schema.stored_columns(TABLE)]


def _key(frame: pd.DataFrame, category_column: str) -> pd.Series:
    return (frame["article_id"].astype(str) + "|" + frame["start"].astype(int).astype(str) + "|"
            + frame["end"].astype(int).astype(str) + "|" + frame[category_column].astype(str))


def _score(category: str, polarity: int, weight: float) -> float:
    return round(polarity * abs(schema.signal_categories()[category]["goldstein"]) * weight, 3)


def apply(signals: pd.DataFrame, corrections: pd.DataFrame, articles: pd.DataFrame | None = None) -> pd.DataFrame:
    """The signals as the analyst corrected them (a new frame; ``signals`` is left alone).

    The latest correction of a signal wins. A wrong signal is gone; a changed one takes its new category,
    direction or modality (weight and score follow from them) and says so in ``corrected``; a missed sentence
    is added (``articles`` gives its text). Column ``corrected`` is blank for the pipeline's own signals.
    """
    out = signals.copy()
    out["corrected"] = ""
    if corrections is None or corrections.empty:
        return out
    weights = {m: w for m, w in schema.signal_weights().items() if m != "background"}
    latest = corrections.sort_values("correction_id").drop_duplicates(
        subset=["article_id", "start", "end", "original_category"], keep="last")
    changes = latest.loc[latest["action"] != "missed"]
    if not out.empty and not changes.empty:
        keys = _key(out, "category")
        by_key = {k: r for k, r in zip(_key(changes, "original_category"), changes.to_dict("records"))}
        drop = []
        for i, key in zip(out.index, keys):
            c = by_key.get(key)
            if c is None:
                continue
            if c["action"] == "wrong":
                drop.append(i)
                continue
            category, modality = out.at[i, "category"], out.at[i, "modality"]
            polarity = int(out.at[i, "polarity"])
            if c["action"] == "recategorise":
                base = schema.signal_categories()[c["category"]]["direction"]
                category, polarity = c["category"], -base if modality == "negated" else base
            elif c["action"] == "remodal":
                base = int(out.at[i, "base_polarity"])
                modality, polarity = c["modality"], -base if c["modality"] == "negated" else base
            elif c["action"] == "redirect":
                polarity = int(c["polarity"])
            background = pd.notna(out.at[i, "background"]) and bool(out.at[i, "background"])
            weight = weights[modality] * (schema.signal_weights()["background"] if background else 1.0)
            out.at[i, "category"], out.at[i, "modality"], out.at[i, "polarity"] = category, modality, polarity
            out.at[i, "weight"], out.at[i, "score"] = weight, _score(category, polarity, weight)
            for side in ("source_actor", "target_actor"):
                if c.get(side):
                    out.at[i, side] = c[side]
            out.at[i, "corrected"] = MARKERS[c["action"]]
        out = out.drop(index=drop)
    added = latest.loc[latest["action"] == "missed"]
    if not added.empty and articles is not None and not articles.empty:
        texts = dict(zip(articles["article_id"].astype(str), articles["text"]))
        rows = []
        for c in added.to_dict("records"):
            text = texts.get(str(c["article_id"]))
            if text is None or int(c["end"]) > len(text):
                continue
            modality = c["modality"] or "asserted"
            base = schema.signal_categories()[c["category"]]["direction"]
            polarity = int(c["polarity"]) if pd.notna(c["polarity"]) else (-base if modality == "negated" else base)
            weight = weights[modality]
            span = text[int(c["start"]):int(c["end"])]
            rows.append({"article_id": str(c["article_id"]), "category": c["category"], "polarity": polarity,
                         "modality": modality, "weight": weight, "start": int(c["start"]), "end": int(c["end"]),
                         "evidence": span, "cue": span, "base_polarity": base, "sentence_start": int(c["start"]),
                         "sentence_end": int(c["end"]), "source_actor": c["source_actor"] or "",
                         "target_actor": c["target_actor"] or "", "score": _score(c["category"], polarity, weight),
                         "confidence": 1.0, "background": False, "corrected": MARKERS["missed"]})
        if rows:
            out = pd.concat([out, pd.DataFrame(rows)], ignore_index=True)
    return out.reset_index(drop=True)


def attached(signals: pd.DataFrame, corrections: pd.DataFrame) -> pd.Series:
    """For each correction, whether the pipeline's signals (before corrections) still hold the signal it corrects
    (a missed sentence always counts as attached). One that is not (after a rule change) is kept, shown, not applied."""
    if corrections.empty:
        return pd.Series(dtype=bool)
    present = set(_key(signals, "category")) if not signals.empty else set()
    return (corrections["action"] == "missed") | _key(corrections, "original_category").isin(present)


def training_rows(store_dir: str | Path) -> list[dict]:
    """The corrected sentences in the annotated corpus's format (``split`` = ``"train"``, ``annotator`` =
    ``"analyst"``): per sentence touched by a correction, the events it holds after the corrections."""
    from pipeline.read.tables import load_tables

    tables = load_tables(store_dir)
    corrections = read(store_dir)
    if corrections.empty:
        return []
    signals, articles = tables["signals"], tables["articles"]
    texts = dict(zip(articles["article_id"].astype(str), articles["text"]))
    of_article = dict(iter(signals.groupby(signals["article_id"].astype(str), sort=False)))   # one pass, not one per correction
    none = signals.iloc[0:0]
    rows = []
    touched = set()
    for c in corrections.to_dict("records"):
        text = texts.get(str(c["article_id"]))
        if text is None:
            continue
        own = of_article.get(str(c["article_id"]), none)
        hit = own.loc[(own["start"] <= int(c["start"])) & (own["end"] >= int(c["end"]))]
        if c["action"] == "missed" or hit.empty:
            s_start, s_end = int(c["start"]), int(c["end"])
        else:
            s_start, s_end = int(hit.iloc[0]["sentence_start"]), int(hit.iloc[0]["sentence_end"])
        if (c["article_id"], s_start) in touched:
            continue
        touched.add((c["article_id"], s_start))
        sentence = text[s_start:s_end]
        in_sentence = own.loc[(own["start"] >= s_start) & (own["end"] <= s_end)]
        events = [{"trigger": text[int(r["start"]):int(r["end"])], "start": int(r["start"]) - s_start,
                   "end": int(r["end"]) - s_start, "category": r["category"], "modality": r["modality"],
                   "source": r["source_actor"] or "", "target": r["target_actor"] or ""}
                  for r in in_sentence.to_dict("records")]
        rows.append({"id": f"analyst:{c['article_id']}:{s_start}", "source": "analyst corrections",
                     "doc": f"analyst:{c['article_id']}", "date": "", "split": "train", "text": sentence,
                     "events": events, "annotator": "analyst"})
    return rows
