"""Words for identifiers, and dates as an analyst reads them: one mapping for every page and export.

Labels come from data files: signal categories from ``pipeline/data/signal_categories.csv`` (``label``, read by
``pipeline.schema.signal_categories``),
figure kinds, modalities and column names from ``pipeline/data/display_labels.csv``. An unknown identifier
is shown as written; an empty value (None, NaN, "") is shown blank, never as "None".
"""
from __future__ import annotations

import csv
import functools
import math
from pathlib import Path

import pandas as pd

from pipeline import schema

DATA = Path(__file__).resolve().parent.parent / "data"


@functools.lru_cache(maxsize=1)
def _labels() -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {("signal_category", name): row["label"]
                                       for name, row in schema.signal_categories().items()}
    with (DATA / "display_labels.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            out[(row["kind"], row["id"])] = row["label"]
    return out


def blank(value) -> bool:
    """True for None, NaN, pandas NA and ""."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value == ""


def label(kind: str, identifier) -> str:
    """The words for ``identifier`` of ``kind`` (signal_category, figure_kind, modality, column); blank when empty."""
    if blank(identifier):
        return ""
    return _labels().get((kind, str(identifier)), str(identifier))


def labelled(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """``frame`` with the columns of ``kinds`` (column → kind) in words and its column names labelled."""
    out = frame.copy()
    for column, kind in kinds.items():
        if column in out.columns:   # a formatter of any table or summary: each holds some of these columns
            out[column] = out[column].map(lambda v, k=kind: label(k, v))
    return out.rename(columns={c: label("column", c) for c in out.columns if ("column", c) in _labels()})


def display_date(article) -> str:
    """An article's date as shown everywhere: its own date, else "2025 (inferred)", else ""."""
    own, inferred = article.get("date"), article.get("date_inferred")
    if not blank(own):
        return str(own)
    if not blank(inferred):
        return f"{inferred} (inferred)"
    return ""


def display_dates(articles: pd.DataFrame) -> pd.Series:
    """:func:`display_date` of every row of an articles frame (aligned with its index)."""
    return pd.Series([display_date(r) for r in articles[["date", "date_inferred"]].to_dict("records")],
                     index=articles.index, dtype=object)



#: Columns whose identifiers are shown in words, and the kind of each.
VALUE_KINDS = {"category": "signal_category", "modality": "modality", "kind": "figure_kind"}


def for_display(frame: pd.DataFrame, articles: pd.DataFrame | None = None) -> pd.DataFrame:
    """A table as an analyst reads it: identifiers in words, column names labelled, empty values blank, and
    (given ``articles``) each row's ``date`` as :func:`display_date` of its article ("2025 (inferred)")."""
    out = frame.copy()
    # any table or summary: only one that lists articles (article_id) with their date gets the display date
    if articles is not None and "date" in out.columns and "article_id" in out.columns and len(articles):
        shown = pd.Series(display_dates(articles).values, index=articles["article_id"].values)
        shown = shown[~shown.index.duplicated()]
        out["date"] = out["article_id"].map(shown).fillna("")
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(lambda v: "" if blank(v) else v)
        elif pd.api.types.is_numeric_dtype(out[column]) and out[column].isna().any():
            # a table cell with no value reads blank, not "None": the column is shown as text
            out[column] = out[column].map(lambda v, c=column: number_text(v, plain=(c == "year")))
    return labelled(out, VALUE_KINDS)


def number_text(value, plain: bool = False) -> str:
    """A number as written for an analyst ("1,000,000,000", "2.5"; a year plainly: "2025"); blank when empty."""
    if blank(value):
        return ""
    value = float(value)
    if value.is_integer():
        return str(int(value)) if plain else f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


CORRECTION_WORDS = {"wrong": "marked wrong", "recategorise": "category changed", "redirect": "direction changed",
                    "remodal": "modality changed", "missed": "added (coder missed it)"}


def corrections_table(corrections: pd.DataFrame) -> pd.DataFrame:
    """Stored analyst corrections as an analyst reads them: when (UTC, to the minute), what, the signal's
    category before and after, the new modality or direction, the note, and whether the signal is still found."""
    rows = []
    for c in corrections.to_dict("records"):
        polarity = c.get("polarity")
        rows.append({
            "when (UTC)": str(c.get("created_at") or "")[:16].replace("T", " "),
            "correction": CORRECTION_WORDS.get(c["action"], c["action"]),
            "signal": label("signal_category", c["original_category"]) if not blank(c.get("original_category")) else "",
            "new category": label("signal_category", c["category"]) if not blank(c.get("category")) else "",
            "new modality": label("modality", c["modality"]) if not blank(c.get("modality")) else "",
            "new direction": "" if blank(polarity) else ("escalation" if float(polarity) > 0 else "de-escalation"),
            "note": "" if blank(c.get("note")) else str(c["note"]),
            "still found": "" if blank(c["attached"]) else ("yes" if c["attached"] else
                                                                                      "no: kept, not applied"),
        })
    return pd.DataFrame(rows)
