"""Actors as the Actors page shows them: the co-occurrence network and its layout, quotes, flagged mentions.

Pure functions over the ``actor_mentions`` and ``articles`` tables (moved out of the actors stage).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.schema import ACTOR_TYPES  # noqa: F401 - the page's type filter offers these


def cooccurrence(mentions_df, level: str = "sentence", *, min_weight: int = 1):
    """Weighted co-occurrence edges between actors: DataFrame[source, target, weight].

    ``mentions_df`` holds actor-mention rows with at least ``article_id``, ``actor`` and (for
    ``level="sentence"``) ``sentence``. ``weight`` counts the sentences (or articles) in which both
    actors are mentioned; ``source`` < ``target`` alphabetically; sorted by weight, heaviest first.
    Filter the mentions (by date, topic, type) before calling.
    """


    if level not in {"sentence", "article"}:
        raise ValueError("level must be 'sentence' or 'article'")
    columns = ["source", "target", "weight"]
    needed = {"article_id", "actor"} | ({"sentence"} if level == "sentence" else set())
    missing = needed - set(mentions_df.columns)
    if missing:
        raise ValueError(f"mentions_df lacks columns {sorted(missing)}")
    if mentions_df.empty:
        return pd.DataFrame(columns=columns)
    keys = ["article_id", "sentence"] if level == "sentence" else ["article_id"]
    # one row per (place, actor), places numbered; a self-join on the place gives each pair once (source < target)
    present = mentions_df[keys + ["actor"]].astype(str).drop_duplicates()
    present = present.assign(place=present.groupby(keys, sort=False).ngroup())[["place", "actor"]]
    pairs = present.merge(present, on="place", suffixes=("_s", "_t"))
    pairs = pairs[pairs["actor_s"] < pairs["actor_t"]]
    edges = (pairs.groupby(["actor_s", "actor_t"]).size().reset_index(name="weight")
             .rename(columns={"actor_s": "source", "actor_t": "target"}))
    edges = edges[edges["weight"] >= min_weight][columns]
    if edges.empty:
        return pd.DataFrame(columns=columns)
    return edges.sort_values(["weight", "source", "target"], ascending=[False, True, True], ignore_index=True)


def labelled_nodes(layout: pd.DataFrame, *, max_labels: int = 15, min_distance: float = 0.18) -> pd.Series:
    """Which nodes of a :func:`network_layout` carry a name on the chart (the rest: hover), so no two names overlap.

    Greedy by degree (the most connected first): a node is named when it is at least ``min_distance`` (in the
    layout's [-1, 1] units) from every node already named, up to ``max_labels`` names. Aligned with ``layout``.
    """
    named: list[tuple[float, float]] = []
    keep = pd.Series(False, index=layout.index)
    for i in layout.sort_values(["degree", "actor"], ascending=[False, True], kind="stable").index:
        if len(named) >= max_labels:
            break
        x, y = float(layout.at[i, "x"]), float(layout.at[i, "y"])
        if all((x - a) ** 2 + (y - b) ** 2 >= min_distance ** 2 for a, b in named):
            named.append((x, y))
            keep[i] = True
    return keep


def network_layout(edges, *, iterations: int = 200, seed: int = 0):
    """Deterministic force-directed (Fruchterman–Reingold) positions for the actors of ``edges``.

    ``edges`` is a :func:`cooccurrence` frame; returns DataFrame[actor, x, y, degree] with x, y in [-1, 1]
    and ``degree`` the summed weight of the actor's edges.
    """

    columns = ["actor", "x", "y", "degree"]
    if edges is None or len(edges) == 0:
        return pd.DataFrame(columns=columns)
    nodes = sorted(set(edges["source"]) | set(edges["target"]))
    index = {name: i for i, name in enumerate(nodes)}
    n = len(nodes)
    weights = np.zeros((n, n))
    for s, t, w in zip(edges["source"], edges["target"], edges["weight"]):
        weights[index[s], index[t]] += float(w)
        weights[index[t], index[s]] += float(w)
    rng = np.random.default_rng(seed)
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pos = np.c_[np.cos(angle), np.sin(angle)] + rng.normal(scale=0.01, size=(n, 2))
    k = 1.5 / np.sqrt(n)
    strength = weights / weights.max()
    temperature = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.maximum(np.linalg.norm(delta, axis=-1), 1e-3)
        repulse = (k * k / distance ** 2)[:, :, None] * delta
        attract = -(strength * distance / k)[:, :, None] * delta
        move = (repulse + attract).sum(axis=1) - 0.15 * pos  # gravity keeps separate components close
        length = np.maximum(np.linalg.norm(move, axis=1), 1e-9)
        pos += move / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature *= 0.98
    pos -= pos.mean(axis=0)
    scale = np.abs(pos).max() or 1.0
    pos /= scale
    degree = weights.sum(axis=1)
    return pd.DataFrame({"actor": nodes, "x": pos[:, 0].round(4), "y": pos[:, 1].round(4),
                         "degree": degree}, columns=columns)


def quotes_table(articles, mentions):
    """Quotes by speaker over many articles: DataFrame[actor, actor_type, quote, cue, article_id, title, date].

    ``articles`` needs ``article_id`` and ``text`` (``title``/``date`` used when present); ``mentions`` are the
    stored actor-mention rows (offsets into each article's text).
    """
    from pipeline.read.labels import display_date
    from pipeline.stages import actors as actors_stage  # quotes are found in the text at read time (no spaCy)

    columns = ["actor", "actor_type", "quote", "cue", "article_id", "title", "date"]
    rows = []
    if articles is None or len(articles) == 0:
        return pd.DataFrame(columns=columns)
    by_article = {aid: group.to_dict("records") for aid, group in mentions.groupby("article_id")} if len(mentions) else {}
    for article in articles.to_dict("records"):
        article_mentions = by_article.get(article["article_id"], [])
        if not article_mentions:
            continue
        for quote in actors_stage.quotes(str(article.get("text") or ""), article_mentions):
            rows.append({"actor": quote["actor"], "actor_type": quote["actor_type"], "quote": quote["quote"],
                         "cue": quote["cue"], "article_id": article["article_id"],
                         "title": article.get("title") or "", "date": display_date(article)})
    return pd.DataFrame(rows, columns=columns)


def flagged_mentions(mentions):
    """Mentions whose title does not fit the dictionary on the article's date, or could not be checked."""
    return mentions[mentions["anachronism"].fillna("").astype(str) != ""]


def unresolved_counts(mentions):
    """Named entities the dictionary lacks: DataFrame[actor, actor_type, mentions, articles], most frequent first."""

    columns = ["actor", "actor_type", "mentions", "articles"]
    rows = mentions[mentions["resolution"] == "ner_unresolved"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    out = (rows.groupby(["actor", "actor_type"]).agg(mentions=("actor", "size"), articles=("article_id", "nunique"))
           .reset_index().sort_values(["mentions", "actor"], ascending=[False, True], ignore_index=True))
    return out[columns]
