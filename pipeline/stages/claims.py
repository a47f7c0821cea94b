"""Claims stage: a global step over all figures that groups the reports of one commitment across articles.

An analyst tracks commitments, not mentions. :func:`group` takes the ``figures`` table (every mention in every
article) and the ``articles`` table and returns the ``claims`` table (one row per commitment) and the
``claim_id`` of every figures row. Totals and charts sum claims, never mentions.

``claims`` columns (``CLAIM_COLUMNS``):

============== ======= ==================================================================================
column          type    meaning
============== ======= ==================================================================================
claim_id        str     stable id: ``c`` + 10 hex digits of the first report's article, figure and actor
kind            str     ``money`` | ``pct_gdp`` | ``pct_change`` | ``count`` (as in ``figures``)
actor           str     who commits (the figures' owner), or ""
purpose         str     what for, as the earliest report with a purpose says it
programme       str     a named fund/initiative/package the reports name ("NATO Innovation Fund"), or ""
value           number  the amount as most of its mentions give it (ties: the first report); null when vague
value_low       number  lower bound (a vague claim keeps only this)
value_high      number  upper bound of a range, else null
unit            str     as in ``figures`` (ISO code, ``%``, ``pp`` or the thing counted)
value_eur       number  money: ``value`` in EUR at the rate of the report it comes from; null when vague
vague           bool    "thousands of": never summed, never charted as a value
target_year     int     the year the commitment is for, where a report says it
first_date      str     date of the first dated report (as the page gives it), "" if none is dated
last_date       str     date of the last dated report
n_articles      int     articles that report it
n_mentions      int     mentions in all of them
status          str     announced | pledged | approved | delivered where a report's sentence says so (the
                        furthest step any report gives), else ""
variants        str     the figure as each distinct wording gave it ("one billion euros | a billion dollars")
supersedes      str     claim_id of the earlier version of this commitment with another amount, or ""
part_of         str     claim_id of the total this share is a part of (3.5% + 1.5% = 5% of GDP), or ""
article_ids     str     the reporting articles, ``;``-separated, first report first
disagreement    str     reports that give different amounts, side by side ("fourfold (+300%) vs 400% (+400%)"), or ""
============== ======= ==================================================================================

Grouping rules (documented decisions; tolerances in ``data/claim_rules.csv``):

- Within an article, the mentions of one figure (same ``figure_key``) are one report.
- Actors are grouped by who commits: a national body counts as its country ("US Congress" -> "United
  States", ``party_of``).
- Across articles, a report joins a claim of the same kind and actor (a report with no actor joins only through
  the same named programme, or the exact same amount within ``max_gap_days``) when the amounts agree: the same unit within ``same_unit_rel`` (rounding), money
  in another currency within ``cross_currency_rel`` of its EUR value (rounding and rates), shares and counts
  exactly; the target years and named programmes do not contradict; and, when no programme names it, the two
  reports are at most ``max_gap_days`` apart (two same-size aid packages months apart stay two claims).
- Vague figures join only the same wording of the same thing by the same actor.
- Changes of the same thing in one article that disagree ("fourfold" here, "by 400%" there, both of "air
  defense") are one claim, with its ``disagreement`` shown; its value is the one most mentions give.
- A new amount for the same named programme (else the same actor and purpose), kind and unit (money: any
  currency) is a new claim that ``supersedes`` the earlier one ("2% → 5%").
"""
from __future__ import annotations

import csv
import functools
import hashlib
import math
import re
from pathlib import Path

import pandas as pd

from pipeline import schema

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

CLAIM_COLUMNS = schema.columns("claims")   # declared in pipeline/schema.py
STATUS_ORDER = ("announced", "pledged", "approved", "delivered")
_NAMED = re.compile(r"\b(?:[A-Z][\w-]*\s+){1,4}(?:Fund|Facility|Initiative|Programme|Program|Package|Plan|Act)\b")


def _read_csv(name: str) -> list[dict]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@functools.lru_cache(maxsize=1)
def rules() -> dict[str, float]:
    """Grouping tolerances from ``data/claim_rules.csv``."""
    return {row["rule"]: float(row["value"]) for row in _read_csv("claim_rules.csv")}


@functools.lru_cache(maxsize=1)
def _status_pattern() -> list[tuple[str, re.Pattern]]:
    rows = _read_csv("claim_status.csv")
    out = []
    for status in STATUS_ORDER[::-1]:   # furthest step first
        words = [r["word"] for r in rows if r["status"] == status]
        if words:
            out.append((status, re.compile(r"(?i)\b(?:%s)\b" % "|".join(re.escape(w) for w in words))))
    return out


def status_of(sentence: str) -> str:
    """The furthest commitment step a sentence states ("delivered", "approved", "pledged", "announced") or ""."""
    for status, pattern in _status_pattern():
        if pattern.search(sentence or ""):
            return status
    return ""


def programme_of(purpose: str, sentence: str) -> str:
    """A named fund, initiative or package in the purpose, else in the sentence ("NATO Innovation Fund"), or ""."""
    for text in (purpose or "", sentence or ""):
        match = _NAMED.search(text)
        if match and not re.match(r"(?:The|This|That|A|An)\s", match.group(0)):
            return match.group(0)
    return ""


@functools.lru_cache(maxsize=1)
def _national_bodies() -> dict[str, str]:
    """Name or alias of a national body -> its country's name ("US Congress", "the House of Representatives",
    "Pentagon" -> "United States"), from ``data/actors.csv`` and ``data/actor_countries.csv``."""
    countries = {row["iso3"]: row["name"] for row in _read_csv("actor_countries.csv")}
    out = {}
    for row in _read_csv("actors.csv"):
        country = countries.get(row["country"])
        if row["actor_type"] == "organisation" and country:
            for name in [row["name"], *row["aliases"].split("|")]:
                name = re.sub(r"^the\s+", "", name.strip(), flags=re.I)
                if name:
                    out[name.lower()] = country
    return out


def party_of(actor: str) -> str:
    """Who commits, for grouping: a national body's country ("House of Representatives" -> "United States"),
    else the actor itself."""
    return _national_bodies().get(re.sub(r"^the\s+", "", actor or "", flags=re.I).lower(), actor or "")


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and value != ""


def _num(value):
    return float(value) if _filled(value) else None


def _article_dates(articles: pd.DataFrame | None) -> dict[str, str]:
    """The date each article gives (never an inferred year: a guessed date is not shown as a date)."""
    if articles is None or not len(articles) or "date" not in articles:
        return {}
    return {a: (d if isinstance(d, str) else "") for a, d in zip(articles["article_id"], articles["date"])}


def _reports(figures: pd.DataFrame, dates: dict[str, str]) -> list[dict]:
    """One report per (article, figure_key): its mentions folded, first dated report first."""
    reports = []
    frame = figures.sort_values(["article_id", "start"], kind="stable")
    for (article_id, key), rows in frame.groupby(["article_id", "figure_key"], sort=False, dropna=False):
        first = rows.iloc[0]
        pick = lambda col: next((v for v in rows[col] if _filled(v)), None) if col in rows else None  # noqa: E731
        sentences = list(rows["sentence"]) if "sentence" in rows else []
        statuses = [status_of(s) for s in sentences]
        status = max(statuses, key=lambda s: STATUS_ORDER.index(s) + 1 if s else 0) if statuses else ""
        purpose = pick("purpose") or ""
        programme = programme_of(purpose, " ".join(s for s in sentences if isinstance(s, str)))
        actor = party_of(pick("actor") or "")
        if actor and actor == programme:
            actor = ""   # "the NATO Innovation Fund will have ...": the fund is what it is for, not who pledges
        reports.append({
            "article_id": article_id, "figure_key": key, "index": list(rows.index),
            "kind": first["kind"], "unit": first["unit"], "actor": actor,
            "value": _num(first["value"]), "value_low": _num(first.get("value_low")),
            "value_high": _num(first.get("value_high")), "value_eur": _num(first.get("value_eur")),
            "vague": bool(first.get("vague")) if _filled(first.get("vague")) else False,
            "scale_word": first.get("scale_word") or "", "item": first.get("item") or "",
            "purpose": purpose, "programme": programme,
            "year": _num(pick("year")), "date": dates.get(article_id, ""), "status": status,
            "text": first.get("text") or "", "n_mentions": len(rows),
            "subject": _change_subject(sentences, list(rows["start"]), list(rows["end"]), first.get("sentence"))
            if first["kind"] == "pct_change" else frozenset(),
        })
    reports.sort(key=lambda r: (r["date"] or "9999", str(r["article_id"])))
    return reports


def _days_apart(a: str, b: str) -> float | None:
    try:
        return abs((pd.Timestamp(a) - pd.Timestamp(b)).days) if a and b else None
    except ValueError:
        return None


def _amounts_agree(report: dict, claim: dict) -> bool:
    r = rules()
    if report["vague"] or claim["vague"]:
        return report["vague"] and claim["vague"] and report["scale_word"] == claim["scale_word"] \
            and report["unit"] == claim["unit"]
    if report["kind"] == "money":
        if report["unit"] == claim["unit"]:
            a, b = report["value"], claim["value"]
            return a is not None and b is not None and abs(a - b) <= r["same_unit_rel"] * max(a, b) \
                and report["value_high"] == claim["value_high"]
        a, b = report["value_eur"], claim["value_eur"]
        return a is not None and b is not None and abs(a - b) <= r["cross_currency_rel"] * max(a, b)
    return report["unit"] == claim["unit"] and report["value"] == claim["value"] \
        and report["value_high"] == claim["value_high"]


def _joins(report: dict, claim: dict) -> bool:
    if report["kind"] != claim["kind"]:
        return False
    if report["programme"] and claim["programme"] and report["programme"] != claim["programme"]:
        return False
    if report["actor"] != claim["actor"]:
        one_unattributed = not report["actor"] or not claim["actor"]
        same_programme = report["programme"] and report["programme"] == claim["programme"]
        exact = report["unit"] == claim["unit"] and report["value"] is not None and report["value"] == claim["value"] \
            and not report["vague"]
        gap = _days_apart(report["date"], claim["last_date"])
        if not one_unattributed or not (same_programme or (exact and gap is not None and gap <= rules()["max_gap_days"])):
            return False   # an unattributed report joins only through its programme, or the exact amount soon after
    if report["year"] and claim["year"] and report["year"] != claim["year"]:
        return False
    if not (report["programme"] or claim["programme"]):
        gap = _days_apart(report["date"], claim["last_date"])
        if gap is not None and gap > rules()["max_gap_days"]:
            return False
    return _amounts_agree(report, claim)


def _claim_id(report: dict) -> str:
    digest = hashlib.sha1(f"{report['article_id']}|{report['figure_key']}|{report['actor']}".encode()).hexdigest()
    return "c" + digest[:10]


def group(figures: pd.DataFrame, articles: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Group figures into claims: ``(claims table, claim_id per figures row, aligned with figures.index)``."""
    if figures is None or not len(figures):
        return pd.DataFrame(columns=CLAIM_COLUMNS), pd.Series([], dtype=object)
    dates = _article_dates(articles)
    claims: list[dict] = []
    buckets: dict[tuple, list[dict]] = {}      # (kind, actor) -> claims
    programmes: dict[tuple, list[dict]] = {}   # (kind, programme) -> claims
    claim_of_row: dict = {}
    reach = int(rules()["max_candidates"])
    for report in _reports(figures, dates):
        bucket = buckets.setdefault((report["kind"], report["actor"]), [])
        candidates = bucket[-reach:][::-1]
        if not report["actor"]:   # an unattributed report may join any actor's claim of the same amount
            candidates += [c for c in claims[-reach:][::-1] if c["kind"] == report["kind"]]
        else:                     # and an attributed one an unattributed claim
            candidates += [c for c in claims[-reach:][::-1] if c["kind"] == report["kind"] and not c["actor"]]
        if report["programme"]:
            candidates += programmes.get((report["kind"], report["programme"]), [])[-reach:][::-1]
        target = next((c for c in candidates if _joins(report, c)), None)
        if target is None:
            target = {**{k: report[k] for k in ("kind", "actor", "unit", "value", "value_low", "value_high",
                                                "value_eur", "vague", "scale_word", "programme", "year")},
                      "claim_id": _claim_id(report), "reports": [], "last_date": report["date"]}
            bucket.append(target)
            claims.append(target)
        target["reports"].append(report)
        if report["actor"] and not target["actor"]:
            target["actor"] = report["actor"]
            buckets.setdefault((report["kind"], report["actor"]), []).append(target)
        if report["programme"] and not target["programme"]:
            programmes.setdefault((report["kind"], report["programme"]), []).append(target)
        elif report["programme"] and target not in programmes.get((report["kind"], report["programme"]), []):
            programmes.setdefault((report["kind"], report["programme"]), []).append(target)
        target["programme"] = target["programme"] or report["programme"]
        target["year"] = target["year"] or report["year"]
        target["last_date"] = report["date"] or target["last_date"]
        for index in report["index"]:
            claim_of_row[index] = target["claim_id"]
    claims = _merge_disagreeing_changes(claims, claim_of_row)
    rows = [_claim_row(c) for c in claims]
    _link_versions(rows)
    _link_parts(rows, claims)
    table = pd.DataFrame(rows, columns=CLAIM_COLUMNS)
    return table, pd.Series([claim_of_row.get(i, "") for i in figures.index], index=figures.index, dtype=object)


_SUBJECT_STOP = {"the", "a", "an", "and", "or", "of", "in", "its", "their", "to", "by", "for", "on", "with"}


def _change_subject(sentences, starts, ends, first_sentence) -> frozenset:
    """What a change is of: the word pairs of the phrase after "of"/"in" following the change ("a fourfold
    enhancement of air defense systems" -> {"air defense", "defense systems"}), or right before "by N%"."""
    pairs = set()
    for sentence in sentences:
        if not isinstance(sentence, str):
            continue
        for m in re.finditer(r"(?i)\b(?:increase|enhancement|rise|boost|expansion|cut|reduction|growth|hike|"
                             r"jump|decrease)\w*\s+(?:of|in)\s+((?:[\w-]+\s+){1,6})", sentence + " "):
            words = [w.lower() for w in m.group(1).split() if w.lower() not in _SUBJECT_STOP and w.isalpha()]
            pairs |= {f"{a} {b}" for a, b in zip(words, words[1:])}
    return frozenset(pairs)


def _merge_disagreeing_changes(claims: list[dict], claim_of_row: dict) -> list[dict]:
    """Changes of the same thing in one article that disagree ("a fourfold enhancement of air defense" and
    "an increase in air defense ... by 400%") are one claim, its values shown side by side."""
    merged_into: dict[str, dict] = {}
    changes = [c for c in claims if c["kind"] == "pct_change" and not c["vague"]]
    for i, a in enumerate(changes):
        if a["claim_id"] in merged_into:
            continue
        for b in changes[i + 1:]:
            if b["claim_id"] in merged_into or (a["actor"] and b["actor"] and a["actor"] != b["actor"]):
                continue
            articles_a = {r["article_id"] for r in a["reports"]}
            if not articles_a & {r["article_id"] for r in b["reports"]}:
                continue
            subject_a = frozenset().union(*(r["subject"] for r in a["reports"]))
            subject_b = frozenset().union(*(r["subject"] for r in b["reports"]))
            if subject_a & subject_b:
                a["reports"] += b["reports"]
                a["actor"] = a["actor"] or b["actor"]
                merged_into[b["claim_id"]] = a
    if not merged_into:
        return claims
    for index, claim_id in list(claim_of_row.items()):
        if claim_id in merged_into:
            claim_of_row[index] = merged_into[claim_id]["claim_id"]
    return [c for c in claims if c["claim_id"] not in merged_into]


def _claim_row(claim: dict) -> dict:
    reports = claim["reports"]
    # The amount as most mentions give it (ties: the first report).
    weight: dict[tuple, int] = {}
    for rep in reports:
        key = (rep["unit"], rep["value"], rep["value_high"])
        weight[key] = weight.get(key, 0) + rep["n_mentions"]
    best = max(weight, key=lambda k: (weight[k], -next(i for i, r in enumerate(reports)
                                                         if (r["unit"], r["value"], r["value_high"]) == k)))
    chosen = next(r for r in reports if (r["unit"], r["value"], r["value_high"]) == best)
    dated = [r["date"] for r in reports if r["date"]]
    statuses = [r["status"] for r in reports if r["status"]]
    articles = list(dict.fromkeys(str(r["article_id"]) for r in reports))
    variants = list(dict.fromkeys(r["text"].replace("\n", " ") for r in reports if r["text"]))
    return {
        "claim_id": claim["claim_id"], "kind": claim["kind"], "actor": claim["actor"],
        "purpose": next((r["purpose"] for r in reports if r["purpose"]), ""), "programme": claim["programme"],
        "value": None if chosen["vague"] else chosen["value"], "value_low": chosen["value_low"],
        "value_high": chosen["value_high"], "unit": chosen["unit"],
        "value_eur": None if chosen["vague"] else chosen["value_eur"], "vague": bool(chosen["vague"]),
        "target_year": int(claim["year"]) if claim["year"] else None,
        "first_date": min(dated) if dated else "", "last_date": max(dated) if dated else "",
        "n_articles": len(articles), "n_mentions": sum(r["n_mentions"] for r in reports),
        "status": max(statuses, key=STATUS_ORDER.index) if statuses else "",
        "variants": " | ".join(variants), "supersedes": "", "part_of": "", "article_ids": ";".join(articles),
        "disagreement": _disagreement(reports),
    }


def _disagreement(reports: list[dict]) -> str:
    """Reports of one claim that give different amounts, side by side ("fourfold (+300%) vs 400% (+400%)")."""
    values = {}
    for rep in reports:
        if rep["value"] is not None and not rep["vague"]:
            values.setdefault((rep["unit"], rep["value"]), rep["text"].replace("\n", " "))
    if len({v for _u, v in values}) < 2 or reports[0]["kind"] == "money":
        return ""   # money in two currencies is one amount at two rates, not a disagreement
    sign = lambda v: f"{v:+g}" if reports[0]["kind"] == "pct_change" else f"{v:g}"  # noqa: E731
    return " vs ".join(f"{text} ({sign(value)}{unit})" for (unit, value), text in values.items())


def _link_versions(rows: list[dict]) -> None:
    """A later claim with another amount for the same actor, kind, unit and programme (or purpose) supersedes
    the latest earlier one ("2% → 5%")."""
    latest: dict[tuple, dict] = {}
    for row in sorted(rows, key=lambda r: r["first_date"] or "9999"):
        if row["vague"] or not row["first_date"]:
            continue
        unit = "" if row["kind"] == "money" else row["unit"]   # money: compared in EUR, whatever the currency
        if row["programme"]:
            key = ("", row["kind"], unit, row["programme"].lower())
        elif row["actor"] and row["purpose"]:
            key = (row["actor"], row["kind"], unit, row["purpose"].lower())
        else:
            continue
        previous = latest.get(key)
        if previous is not None and previous["value"] != row["value"] and previous["first_date"] < row["first_date"]:
            row["supersedes"] = previous["claim_id"]
        latest[key] = row


def _link_parts(rows: list[dict], claims: list[dict]) -> None:
    """Shares of GDP stated together in one article that add up (3.5% + 1.5% = 5%): the parts point at the total."""
    by_id = {row["claim_id"]: row for row in rows}
    per_article: dict[tuple, list[dict]] = {}
    for claim in claims:
        if claim["kind"] != "pct_gdp" or claim["vague"]:
            continue
        for rep in claim["reports"]:
            per_article.setdefault((rep["article_id"], claim["actor"]), []).append(by_id[claim["claim_id"]])
    for shares in per_article.values():
        distinct = {r["claim_id"]: r for r in shares}.values()
        for total in distinct:
            parts = [r for r in distinct if r is not total and r["value"] is not None and total["value"] is not None
                     and r["value"] < total["value"]]
            for i, a in enumerate(parts):
                for b in parts[i + 1:]:
                    if abs(a["value"] + b["value"] - total["value"]) < 1e-9 and not a["part_of"] and not b["part_of"]:
                        a["part_of"] = b["part_of"] = total["claim_id"]
