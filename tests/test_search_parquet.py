"""Search on a Parquet store (pipeline/store/parquet_search.py): the same query language, hits and ranking as on
the SQLite store, kept in step with committed runs only, on real articles (tests/fixtures/news)."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from conftest import SEEDS, gdelt_articles
from pipeline import run, store
from pipeline.ingest import RawDocument
from pipeline.read import search
from pipeline.store import parquet, parquet_search

from test_app import ENTRY, open_page

QUERIES = ["NATO", "Macron AND Putin", "Macron OR Scholz", "NATO NOT Putin", "NOT Putin", '"defense ministers" OR "prime minister"',
           "sanction*", "title:NATO", "source:PL", "actor:Putin", "actor:Zelensky OR title:Ukraine", "(NATO OR EU) -Macron"]


def _documents(articles):
    return [RawDocument(a["id"], a["text"], title=a["title"], date=a["date"][:10], source=a["country"]) for a in articles]


@pytest.fixture(scope="module")
def both_stores(tmp_path_factory):
    """The 30 GDELT articles run (with the actors stage, for actor:) into a SQLite store, and it converted."""
    root = tmp_path_factory.mktemp("search_parquet")
    sqlite_dir, parquet_dir = root / "sqlite", root / "parquet"
    run.run(store_dir=sqlite_dir, documents=_documents(gdelt_articles()), stages=["actor_mentions"])
    parquet.convert(sqlite_dir, parquet_dir)
    return sqlite_dir, parquet_dir


@pytest.mark.parametrize("query", QUERIES)
def test_a_query_finds_the_same_articles_in_the_same_order_on_both_stores(both_stores, query):
    sqlite_dir, parquet_dir = both_stores
    on_sqlite, total_sqlite = search.search(sqlite_dir, query, limit=100)
    on_parquet, total_parquet = search.search(parquet_dir, query, limit=100)
    assert total_parquet == total_sqlite
    # the same FTS5 index and bm25 weights: the same scores, so the same order (ties by article id on both)
    assert [(h.article_id, h.score) for h in on_parquet] == [(h.article_id, h.score) for h in on_sqlite]
    assert search.matching_ids(parquet_dir, query) == search.matching_ids(sqlite_dir, query)


def test_the_queries_do_find_articles(both_stores):
    sqlite_dir, _ = both_stores
    found = {q: len(search.matching_ids(sqlite_dir, q)) for q in QUERIES}
    assert all(0 < n < 30 for q, n in found.items() if q != "NOT Putin"), found


def test_snippets_are_cut_from_the_text_with_the_hits_marked(both_stores):
    _, parquet_dir = both_stores
    hits, _ = search.search(parquet_dir, '"prime minister" OR sanction*', limit=10)
    assert hits
    for hit in hits:
        text = search.snippet_text(hit.snippet)
        assert "[" in text and "]" in text
        marked = [m.lower() for m in re.findall(r"\[([^\]]+)\]", text)]
        assert all(m.startswith("sanction") or " ".join(m.split()) == "prime minister" for m in marked), marked
        assert len(text.split()) <= search.SNIPPET_WORDS + 2


def test_a_hostile_query_is_a_query_error_not_a_traceback(both_stores):
    _, parquet_dir = both_stores
    for bad in ['"unclosed', "title:", "NATO AND", "(NATO", "unknown:field", "a" * 2000, "NATO\x00"]:
        with pytest.raises(search.QueryError):
            search.search(parquet_dir, bad)


def test_an_articles_own_html_stays_text_in_the_snippet():
    node = search.parse("drone")
    snippet = search.snippet_from_text('The <script>alert("x")</script> drone struck a depot <b>near</b> Kyiv.', node)
    assert "<script>" in search.snippet_text(snippet)           # plain text, as written
    assert "<script>" not in search.snippet_html(snippet)       # and escaped when shown
    assert "<mark>drone</mark>" in search.snippet_html(snippet)


def test_a_run_into_the_parquet_store_is_searchable_when_it_commits_and_not_before(tmp_path):
    articles = gdelt_articles()
    target = tmp_path / "pq"
    run.run(store_dir=target, documents=_documents(articles[:20]), store_format="parquet")
    first_ids = set(store.read(target, "articles")["article_id"])
    seen = {w.lower() for a in articles[:20] for w in re.findall(r"[A-Za-z]+", a["title"] + " " + a["text"])}
    word = sorted({w for a in articles[20:30] for w in re.findall(r"[A-Za-z]{7,}", a["text"]) if w.lower() not in seen})[0]
    assert search.matching_ids(target, word) == set()
    # a run killed before its commit: its parts are written, the marker never lists the run
    cleaned = store.read(target, "articles")
    ghost = cleaned.iloc[[0]].assign(article_id="ghost-article", title="Zeppelinstrasse ghost headline")
    parquet.write_partition({"articles": ghost}, target, run_id="killedrun")
    assert parquet.uncommitted_parts(target)
    assert search.matching_ids(target, "Zeppelinstrasse") == set()
    assert not parquet_search.behind(target)
    # a run that commits: its articles are found at once
    report = run.run(store_dir=target, documents=_documents(articles[20:30]))
    assert report.count("added") == 10
    later_ids = set(store.read(target, "articles")["article_id"]) - first_ids
    assert search.matching_ids(target, word) and search.matching_ids(target, word) <= later_ids


def test_a_missing_or_stale_index_is_rebuilt_by_the_next_search(both_stores, tmp_path):
    sqlite_dir, parquet_dir = both_stores
    copy = tmp_path / "copy"
    shutil.copytree(parquet_dir, copy)
    parquet_search.index_path(copy).unlink()
    assert parquet_search.behind(copy)
    assert search.matching_ids(copy, "NATO") == search.matching_ids(sqlite_dir, "NATO")
    assert not parquet_search.behind(copy)


def test_the_search_page_works_on_a_parquet_store(tmp_path, monkeypatch):
    sqlite_dir, parquet_dir = tmp_path / "seeds", tmp_path / "seeds_parquet"
    run.run([SEEDS], sqlite_dir)
    parquet.convert(sqlite_dir, parquet_dir)
    monkeypatch.setenv("NEWSINTEL_STORE", str(parquet_dir))
    app = AppTest.from_file(ENTRY, default_timeout=90)
    app.run()
    assert not app.exception
    app.sidebar.text_input(key="q").input("NATO").run()
    open_page(app, "search")
    assert not app.exception
    snippets = [h.proto.body for h in app.get("html") if "<mark>" in h.proto.body]
    assert len(snippets) == len(search.matching_ids(sqlite_dir, "NATO")) > 0
    assert all("<mark>NATO</mark>" in s for s in snippets)
    json.dumps(snippets)  # plain strings
