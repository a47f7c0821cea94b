"""Exports: tables to CSV (Excel-safe) and JSON lines.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) are prefixed with ``'`` in CSV
exports meant for people (OWASP CSV injection); the contract export of
``python -m pipeline export`` writes values unchanged, since its readers are
programs.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Prefix a string cell that a spreadsheet would evaluate as a formula with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_excel_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes for people: UTF-8 with BOM (Excel reads accents right), formula cells neutralised.

    Rows end in CRLF (as Excel writes them), which also makes the csv module
    quote any cell holding a bare carriage return.
    """
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_formula)
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_json_records(frame: pd.DataFrame) -> bytes:
    """JSON array of row objects (NaN as null), UTF-8."""
    return frame.to_json(orient="records", force_ascii=False, indent=None).encode("utf-8")


def view_tables(filtered: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables an analyst exports from the current view: every exported table, as filtered.

    ``clusters`` is narrowed to the clusters of the filtered articles, ``signal_corrections`` to their corrections.
    """
    from pipeline.schema import EXPORT_TABLES

    out = {name: filtered[name] for name in EXPORT_TABLES if name in filtered}
    if "clusters" in out and "articles" in filtered:
        out["clusters"] = out["clusters"].loc[out["clusters"]["cluster_id"].isin(filtered["articles"]["cluster_id"])]
    if "signal_corrections" in out and "articles" in filtered:   # the corrections of the articles shown
        corrections = out["signal_corrections"]
        out["signal_corrections"] = corrections.loc[corrections["article_id"].isin(filtered["articles"]["article_id"])]
    return {name: frame.reset_index(drop=True) for name, frame in out.items()}


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def write_table(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    """Write one table as ``csv`` (plain UTF-8) or ``jsonl``."""
    if fmt == "csv":
        frame.to_csv(path, index=False, encoding="utf-8")
    elif fmt == "jsonl":
        with open(path, "w", encoding="utf-8") as fh:
            for row in frame.to_dict("records"):
                fh.write(json.dumps({k: _clean(v) for k, v in row.items()}, ensure_ascii=False, default=str) + "\n")
    else:
        raise ValueError(f"format must be csv or jsonl, got {fmt!r}")


def export_store(store_dir: str | Path, out_dir: str | Path, fmt: str = "csv") -> list[tuple[Path, int]]:
    """Write every exported table of a store to ``out_dir/NAME.csv|jsonl``; return (path, rows) pairs."""
    from pipeline.read.tables import load_tables
    from pipeline.schema import EXPORT_TABLES

    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"format must be csv or jsonl, got {fmt!r}")
    tables = load_tables(store_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in EXPORT_TABLES:
        path = out / f"{name}.{fmt}"
        write_table(tables[name], path, fmt)
        written.append((path, len(tables[name])))
    return written
