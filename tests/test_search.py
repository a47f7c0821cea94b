"""Full-text search: the query language, its FTS5 index in the store, the CLI, attention over time."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT, gdelt_articles
from pipeline import store
from pipeline.ingest import RawDocument
from pipeline.read import search
from pipeline.store import fts


@pytest.fixture(scope="module")
def news_store(tmp_path_factory):
    """30 real GDELT articles ingested (no annotation stages): the index is built with the articles."""
    from pipeline import run

    path = tmp_path_factory.mktemp("search_store")
    docs = [RawDocument(a["id"], a["text"], title=a["title"], date=a["date"][:10], source=a["country"])
            for a in gdelt_articles()]
    run.run(store_dir=path, documents=docs, stages=False)
    return path


def texts(store_dir) -> dict[str, str]:
    arts = store.read_columns(store_dir, "articles", ["article_id", "title", "text"])
    return {r.article_id: f"{r.title}\n{r.text}" for r in arts.itertuples()}


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w+", text)}


def test_boolean_operators_agree_with_the_articles_words(news_store):
    corpus = texts(news_store)
    has = {w: {a for a, t in corpus.items() if w in words(t)} for w in ("macron", "putin", "nato", "scholz")}
    assert search.matching_ids(news_store, "Macron") == has["macron"] and has["macron"]
    assert search.matching_ids(news_store, "Macron AND Putin") == has["macron"] & has["putin"]
    assert search.matching_ids(news_store, "Macron Putin") == has["macron"] & has["putin"]
    assert search.matching_ids(news_store, "Macron OR Scholz") == has["macron"] | has["scholz"]
    assert search.matching_ids(news_store, "NATO NOT Putin") == has["nato"] - has["putin"]
    assert search.matching_ids(news_store, "NATO -Putin") == has["nato"] - has["putin"]
    assert search.matching_ids(news_store, "NOT Putin") == set(corpus) - has["putin"]
    assert search.matching_ids(news_store, "macron OR NOT putin") == has["macron"] | (set(corpus) - has["putin"])


def test_phrase_prefix_and_title_field(news_store):
    corpus = texts(news_store)
    phrase = {a for a, t in corpus.items() if re.search(r"(?i)\bdefen[cs]e ministers?\b", t)}
    got = search.matching_ids(news_store, '"defense ministers" OR "defence ministers" OR "defense minister" OR "defence minister"')
    assert got == phrase and phrase
    sanction = {a for a, t in corpus.items() if any(w.startswith("sanction") for w in words(t))}
    assert search.matching_ids(news_store, "sanction*") == sanction and len(sanction) > 1
    titles = store.read_columns(news_store, "articles", ["article_id", "title"])
    in_title = {r.article_id for r in titles.itertuples() if "nato" in words(r.title or "")}
    assert search.matching_ids(news_store, "title:NATO") == in_title
    assert in_title < search.matching_ids(news_store, "NATO")


def test_ranked_hits_with_marked_snippets(news_store):
    hits, total = search.search(news_store, "Macron AND Putin", limit=3)
    assert total == len(search.matching_ids(news_store, "Macron AND Putin")) and len(hits) == min(3, total)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(h.score is not None for h in hits) and hits[0].score >= hits[-1].score
    assert all(search.HIT_START + "Macron" + search.HIT_END in h.snippet or
               search.HIT_START + "Putin" + search.HIT_END in h.snippet for h in hits)


def test_index_follows_writes_and_deletes(tmp_path):
    from pipeline import run

    a = gdelt_articles()[:3]
    run.run(store_dir=tmp_path, documents=[RawDocument(x["id"], x["text"], title=x["title"]) for x in a], stages=False)
    assert store.check(tmp_path) == []
    before = search.matching_ids(tmp_path, "Zyxwvut")
    extra = RawDocument("extra", "The Zyxwvut radar battery was moved to the border. " * 3, title="Zyxwvut radar")
    run.run(store_dir=tmp_path, documents=[extra], stages=False)
    assert before == set() and len(search.matching_ids(tmp_path, "Zyxwvut")) == 1
    with sqlite3.connect(store.db_path(tmp_path)) as conn:
        conn.execute("DELETE FROM articles WHERE title = 'Zyxwvut radar'")
    assert search.matching_ids(tmp_path, "Zyxwvut") == set()
    assert not [p for p in store.check(tmp_path) if "full-text" in p]


def test_a_store_without_the_index_gets_it_on_open(news_store, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(news_store, old)
    with sqlite3.connect(store.db_path(old)) as conn:
        fts.drop(conn)
        assert not fts.ready(conn)
    assert search.matching_ids(old, "Macron") == search.matching_ids(news_store, "Macron")
    with sqlite3.connect(store.db_path(old)) as conn:
        assert fts.ready(conn)


def test_actor_field_uses_the_actor_mentions(seed_store):
    from pipeline import run

    mentions = run.load_tables(seed_store)["actor_mentions"]
    names = mentions["actor"].dropna()
    surname = names.iloc[0].split()[-1]
    expected = set(mentions.loc[names.index[names.str.contains(rf"(?i)(?:^|\s){re.escape(surname)}(?:\s|$)")], "article_id"])
    assert search.matching_ids(seed_store, f"actor:{surname}") == expected and expected
    assert search.matching_ids(seed_store, f'actor:"{surname}" NOT actor:{surname}') == set()


@pytest.mark.parametrize("query, position, words_", [
    ('"air defence', 0, "unclosed"),
    ("NATO AND", 8, "ends"),
    ("OR Poland", 0, "where a term"),
    ("(NATO OR Poland", 15, "parenthesis"),
    ("NATO )", 5, "unexpected"),
    ("'; DROP TABLE articles; --", 0, "no letters"),
    ("country:RU", 0, "unknown field"),
    ("NATO\x00Poland", 4, "control character"),
    ("NATO\x1b[31m", 4, "control character"),
    ("x" * 10_000, 1000, "longer than"),
    ("NA*TO", 2, "only allowed at the end"),
    ("title:", 6, "must be followed"),
    ("", 0, "empty"),
])
def test_malformed_queries_say_what_and_where(query, position, words_):
    with pytest.raises(search.QueryError) as err:
        search.parse(query)
    assert err.value.position == position and words_ in err.value.message


@pytest.mark.parametrize("query", [
    "NATO' OR '1'='1", 'Poland"; DROP TABLE articles; --', "NEAR(NATO Poland)", "NATO:*", "{title text}: NATO",
    "^NATO", "title:NATO AND source:DE OR x*", "a AND b OR c NOT d", "Россия OR Польша", "NATO -- comment",
])
def test_hostile_queries_stay_terms_and_touch_nothing(news_store, query):
    before = store.counts(news_store)
    try:
        found = search.matching_ids(news_store, query)
    except search.QueryError as exc:
        assert exc.position >= 0
    else:
        assert found <= set(texts(news_store))
    assert store.counts(news_store) == before and store.check(news_store) == []


def cli(*args):
    return subprocess.run([sys.executable, "-m", "pipeline", "search", *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_prints_ids_rank_and_snippet_as_jsonl(news_store):
    out = cli("--store", str(news_store), "Macron AND Putin", "--format", "jsonl")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert {r["article_id"] for r in rows} == search.matching_ids(news_store, "Macron AND Putin")
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert all("[Macron]" in r["snippet"] or "[Putin]" in r["snippet"] for r in rows)


@pytest.mark.parametrize("query", ['"air defence" AND (NATO', "NATO\x07", "x" * 10_000, "'; DROP TABLE articles; --"])
def test_cli_malformed_query_exit_2_with_position_no_traceback(news_store, query):
    out = cli("--store", str(news_store), query)
    assert out.returncode == 2
    assert "malformed query" in out.stderr and "at position" in out.stderr and "Traceback" not in out.stderr
    assert store.check(news_store) == []


def test_highlight_escapes_the_text_and_marks_hits():
    text = 'Putin <script>alert(1)</script> said "air  defence" is key; Putinism'
    out = search.highlight_html(text, '"air defence" OR putin')
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert out.count("<mark>") == 2 and "<mark>air  defence</mark>" in out and "<mark>Putin</mark> " in out
    assert search.snippet_html("a <b>" + search.HIT_START + "x" + search.HIT_END) == "a &lt;b&gt;<mark>x</mark>"


def test_attention_counts_and_shares_per_period(news_store):
    table = search.attention(news_store, ["Putin", "NATO"], period="month")
    arts = store.read_columns(news_store, "articles", ["article_id", "date"])
    arts["period"] = arts["date"].str.slice(0, 7) + "-01"
    putin = search.matching_ids(news_store, "Putin")
    for row in table[table["query"] == "Putin"].itertuples():
        month = arts[arts["period"] == row.period]
        assert row.total == len(month)
        assert row.count == int(month["article_id"].isin(putin).sum())
        assert row.share == pytest.approx(row.count / row.total)
    assert table["count"].sum() > 0 and set(table["query"]) == {"Putin", "NATO"}
    with pytest.raises(ValueError):
        search.attention(news_store, ["a", "b", "c", "d", "e"])
