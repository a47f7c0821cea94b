"""The Actors page's read side (pipeline/read/actors.py): co-occurrence network, its layout, role flags, quotes and
unresolved names, on the actor mentions the stage finds in the seed articles."""
from __future__ import annotations

import pytest

from pipeline.read import actors as read_actors
from pipeline.stages import actors
from test_actors import seed


def test_cooccurrence_sentence_and_article():
    import pandas as pd

    rows = []
    for prefix, date in [("000", "2021-10-22"), ("003", None)]:
        for row in actors.extract(seed(prefix), date=date, ner=False):
            rows.append({"article_id": prefix, **row})
    df = pd.DataFrame(rows)
    edges = read_actors.cooccurrence(df, level="sentence")
    assert list(edges.columns) == ["source", "target", "weight"]
    pair = edges[(edges.source == "NATO") & (edges.target == "Russia")]
    assert int(pair.weight.iloc[0]) >= 4
    assert (edges.source < edges.target).all()
    by_article = read_actors.cooccurrence(df, level="article")
    assert int(by_article[(by_article.source == "NATO") & (by_article.target == "Russia")].weight.iloc[0]) == 2
    with pytest.raises(ValueError):
        read_actors.cooccurrence(df, level="paragraph")


@pytest.fixture(scope="module")
def seed_tables():
    import pandas as pd

    articles, mentions = [], []
    for prefix, date in [("000", "2021-10-22"), ("002", "2021-10-20"), ("004", "2025")]:
        text = seed(prefix)
        articles.append({"article_id": prefix, "text": text, "title": text.splitlines()[0], "date": date})
        mentions += [{"article_id": prefix, **m} for m in actors.extract(text, date=date)]
    return pd.DataFrame(articles), pd.DataFrame(mentions)


def test_network_layout_and_page_helpers(seed_tables):
    articles, mentions = seed_tables
    edges = read_actors.cooccurrence(mentions, level="article")
    layout = read_actors.network_layout(edges)
    assert set(layout["actor"]) == set(edges["source"]) | set(edges["target"])
    assert layout[["x", "y"]].abs().max().max() <= 1.0
    assert layout.equals(read_actors.network_layout(edges))  # deterministic
    # names on the network never sit on one spot: the named nodes are apart, the best connected is named
    named = layout[read_actors.labelled_nodes(layout, min_distance=0.18)]
    assert 1 <= len(named) < len(layout)
    assert named["degree"].max() == layout["degree"].max()
    xy = named[["x", "y"]].to_numpy()
    assert all(((xy[i] - xy[j]) ** 2).sum() >= 0.18 ** 2 for i in range(len(xy)) for j in range(i))
    flagged = read_actors.flagged_mentions(mentions)
    assert set(flagged["actor"]) == {"Dmitry Peskov", "Jens Stoltenberg"}
    assert (flagged["article_id"] == "000").sum() == 1
    table = read_actors.quotes_table(articles, mentions)
    assert {"Jens Stoltenberg", "Dmitry Peskov"} <= set(table["actor"])
    assert (table[table["actor"] == "Dmitry Peskov"]["article_id"] == "000").all()
    unresolved = read_actors.unresolved_counts(mentions)
    assert list(unresolved.columns) == ["actor", "actor_type", "mentions", "articles"]
    assert "Chatham House" not in set(unresolved[unresolved["actor_type"] == "person"]["actor"])
