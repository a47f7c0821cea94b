"""The ledger of commitments: what the Spending page asks of the ``claims`` table (one row per claim).

Every total here sums claims, never mentions, and never a vague claim ("thousands of" has no value).
"""
from __future__ import annotations

from urllib.parse import quote

import pandas as pd

LEDGER_COLUMNS = ["claim_id", "first_date", "actor", "kind", "amount", "value", "value_low", "value_high", "unit",
                  "value_eur", "vague", "purpose", "target_year", "status", "n_articles", "n_mentions", "variants",
                  "version_of", "part_of", "disagreement", "first_article", "link"]


def _link(article_id: str) -> str:
    return f"reader?article={quote(str(article_id))}"


def _fmt(value: float) -> str:
    for scale, word in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
        if abs(value) >= scale:
            return f"{value / scale:,.2f} {word}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def amount_text(row) -> str:
    """The claim's amount as an analyst reads it: "EUR 1.00 bn", "5% of GDP", "+300%", "12 submarines",
    and for a vague claim its words ("thousands of armored vehicles"), never a number it did not give."""
    unit, kind = row["unit"], row["kind"]
    if row["vague"]:
        words = str(row["variants"]).split(" | ")[0]
        return words
    value, high = row["value"], row["value_high"]
    if value is None or pd.isna(value):
        return ""
    fmt = _fmt if kind in ("money", "count") else (lambda v: f"{v:g}")
    span = fmt(value) + (f"–{fmt(high)}" if high is not None and not pd.isna(high) else "")
    if kind == "money":
        return f"{unit} {span}"
    if kind == "pct_gdp":
        return f"{span}{'pp' if unit == 'pp' else '%'} of GDP"
    if kind == "pct_change":
        return f"{'+' if value > 0 else ''}{span}{'pp' if unit == 'pp' else '%'}"
    return f"{span} {unit}"


def ledger_table(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per claim, newest first report first (undated last), with its amount as text, the earlier
    version it replaces ("EUR 1.00 bn → EUR 2.00 bn"), the total it is part of and a link to its first report."""
    if claims is None or claims.empty:
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    table = claims.copy()
    table["vague"] = table["vague"].fillna(False).astype(bool)
    table["amount"] = [amount_text(r) for _i, r in table.iterrows()]
    amount_of = dict(zip(table["claim_id"], table["amount"]))
    table["version_of"] = [f"{amount_of.get(s, '?')} → {a}" if isinstance(s, str) and s else ""
                           for s, a in zip(table["supersedes"], table["amount"])]
    table["part_of"] = [f"part of {amount_of.get(p, '?')}" if isinstance(p, str) and p else ""
                        for p in table["part_of"]]
    table["first_article"] = table["article_ids"].fillna("").map(lambda ids: ids.split(";")[0])
    table["link"] = table["first_article"].map(_link)
    for column in ("actor", "purpose", "status", "first_date"):
        table[column] = table[column].fillna("").astype(str)
    table = table.sort_values(["first_date", "n_articles"], ascending=[False, False], kind="stable",
                              key=lambda s: s.replace("", "0000") if s.name == "first_date" else s)
    return table[LEDGER_COLUMNS].reset_index(drop=True)


def _summable(claims: pd.DataFrame) -> pd.DataFrame:
    money = claims[(claims["kind"] == "money") & ~claims["vague"].fillna(False).astype(bool)]
    return money.assign(eur=pd.to_numeric(money["value_eur"], errors="coerce"))


def claims_over_time(claims: pd.DataFrame, freq: str = "month") -> pd.DataFrame:
    """Claims by the period of their first report: columns period, claims, money_claims, total_eur (the EUR
    sum of the money claims first reported then; vague claims counted, never summed). Undated: "undated"."""
    if freq not in ("month", "year"):
        raise ValueError("freq must be 'month' or 'year'")
    if claims is None or claims.empty:
        return pd.DataFrame(columns=["period", "claims", "money_claims", "total_eur"])
    width = 7 if freq == "month" else 4
    period = claims["first_date"].fillna("").astype(str).map(lambda d: d[:width] if d else "undated")
    counted = claims.assign(period=period).groupby("period").size().rename("claims")
    money = _summable(claims)
    money = money.assign(period=period.loc[money.index])
    sums = money.groupby("period").agg(money_claims=("claim_id", "size"), total_eur=("eur", "sum"))
    out = pd.concat([counted, sums], axis=1).fillna({"money_claims": 0, "total_eur": 0.0}).reset_index()
    out = out.rename(columns={"index": "period"})
    out["money_claims"] = out["money_claims"].astype(int)
    return out.sort_values("period", key=lambda s: s.replace("undated", "9999")).reset_index(drop=True)


def claims_by_actor(claims: pd.DataFrame) -> pd.DataFrame:
    """Per actor ("(unattributed)" for none): columns actor, claims, money_claims, total_eur (EUR sum of its
    money claims, each commitment once), largest_eur; most EUR first."""
    if claims is None or claims.empty:
        return pd.DataFrame(columns=["actor", "claims", "money_claims", "total_eur", "largest_eur"])
    named = claims.assign(actor=claims["actor"].fillna("").replace("", "(unattributed)"))
    counted = named.groupby("actor").size().rename("claims")
    money = _summable(named)
    sums = money.groupby("actor").agg(money_claims=("claim_id", "size"), total_eur=("eur", "sum"),
                                      largest_eur=("eur", "max"))
    out = pd.concat([counted, sums], axis=1).reset_index().rename(columns={"index": "actor"})
    out["money_claims"] = out["money_claims"].fillna(0).astype(int)
    out["total_eur"] = out["total_eur"].fillna(0.0)
    return out.sort_values(["total_eur", "claims", "actor"], ascending=[False, False, True]).reset_index(drop=True)


def claim_kind_counts(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims per kind and their mentions: columns kind, claims, mentions."""
    if claims is None or claims.empty:
        return pd.DataFrame(columns=["kind", "claims", "mentions"])
    out = claims.groupby("kind").agg(claims=("claim_id", "size"), mentions=("n_mentions", "sum")).reset_index()
    return out.sort_values("kind").reset_index(drop=True)


def total_eur(claims: pd.DataFrame) -> float | None:
    """EUR sum of the money claims (each commitment once, vague ones left out); None when there is none."""
    if claims is None or claims.empty:
        return None
    money = _summable(claims)
    return float(money["eur"].sum()) if len(money) else None


def claim_articles(claim_id: str, figures: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """The reports of one claim: columns date, title, said (the figure as written), qualifier, mentions, sentence,
    link (to the reader), first report first."""
    columns = ["date", "title", "said", "qualifier", "mentions", "sentence", "link"]
    if figures is None or figures.empty:
        return pd.DataFrame(columns=columns)
    rows = figures[figures["claim_id"] == claim_id].sort_values(["article_id", "start"], kind="stable")
    if rows.empty:
        return pd.DataFrame(columns=columns)
    per = rows.groupby("article_id", sort=False).agg(said=("text", "first"), qualifier=("qualifier", "first"),
                                                     mentions=("text", "size"), sentence=("sentence", "first"))
    per = per.reset_index()
    meta = articles[["article_id", "title", "date"]] if len(articles) else pd.DataFrame(columns=["article_id", "title", "date"])
    per = per.merge(meta, on="article_id", how="left")
    per["date"] = per["date"].fillna("").astype(str)
    per["title"] = per["title"].fillna("").astype(str)
    per["link"] = per["article_id"].map(_link)
    per = per.sort_values("date", key=lambda s: s.replace("", "9999"), kind="stable")
    return per[columns].reset_index(drop=True)
