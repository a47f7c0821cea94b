"""The search box, the Search and Alerts pages and the reader's hit marks (AppTest, in-process, seed store)."""
import shutil

from streamlit.testing.v1 import AppTest

from pipeline import alerts
from pipeline.read import search

from test_app import ENTRY, app, open_page  # noqa: F401 - the same fixture and helper as the other page tests


def test_search_box_filters_every_page_and_shows_a_chip(app, seed_store):
    expected = search.matching_ids(seed_store, "Peskov OR innovation")
    assert 0 < len(expected) < 5
    app.sidebar.text_input(key="q").input("Peskov OR innovation").run()
    assert not app.exception
    assert app.metric[0].value == str(len(expected))
    assert any(b.label == "Search: Peskov OR innovation" for b in app.button)
    open_page(app, "reader")
    assert len(app.selectbox(key="article").options) == len(expected)


def test_a_malformed_query_says_where_and_filters_nothing(app):
    app.sidebar.text_input(key="q").input('"air defence AND').run()
    assert not app.exception
    errors = [e.value for e in app.sidebar.error]
    assert any("unclosed quotation mark" in e and "character 1" in e for e in errors)
    assert app.metric[0].value == "5"


def test_a_link_with_a_query_restores_it(seed_store, monkeypatch):
    monkeypatch.setenv("NEWSINTEL_STORE", str(seed_store))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params["q"] = "Peskov"
    at.run()
    assert not at.exception
    assert at.sidebar.text_input(key="q").value == "Peskov"
    assert at.metric[0].value == str(len(search.matching_ids(seed_store, "Peskov")))


def test_search_page_ranks_matches_with_escaped_snippets(app, seed_store):
    app.sidebar.text_input(key="q").input("NATO").run()
    open_page(app, "search")
    snippets = [h.proto.body for h in app.get("html") if "<mark>" in h.proto.body]
    assert len(snippets) == len(search.matching_ids(seed_store, "NATO"))
    assert all("<mark>NATO</mark>" in s for s in snippets)
    assert app.get("echarts_chart"), "the attention chart is drawn for the query"


def test_attention_takes_up_to_four_queries_and_reports_a_bad_one(app):
    open_page(app, "search")
    app.text_area(key="attention-queries").input("NATO\nPutin\n(bad\nRussia\nUkraine").run()
    assert not app.exception
    assert any("only the first four" in w.value.lower() for w in app.warning)
    assert any("missing closing parenthesis" in e.value for e in app.error)


def test_reader_marks_the_query_hits(app, seed_store):
    app.sidebar.text_input(key="q").input("NATO").run()
    open_page(app, "reader")
    body = [h.proto.body for h in app.get("html") if "search: NATO" in h.proto.body]
    assert body and "NATO</mark>" in body[0]  # its own mark, or folded into an actor's (the note says search)
    assert any("hits of the search “NATO”" in c.value or "hit of the search" in c.value for c in app.caption)


def test_alerts_page_shows_the_example_watchlist_and_marks_it_read(seed_store, tmp_path, monkeypatch):
    own = tmp_path / "store"
    shutil.copytree(seed_store, own)
    assert alerts.add_seed_watchlists(own) == 1
    w = alerts.watchlists(own)[0]
    n = len(alerts.alerts(own, w.name, unread_only=True))
    assert set(alerts.alerts(own, w.name)["kind"]) >= {"article", "signal"}
    monkeypatch.setenv("NEWSINTEL_STORE", str(own))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    open_page(at, "alerts")
    assert any(m.value == f"#### {w.name} · {n} new" for m in at.markdown) and n > 0
    at.button(key=f"wl-read-{w.watchlist_id}").click().run()
    assert not at.exception
    assert any(m.value == f"#### {w.name} · 0 new" for m in at.markdown)


def test_saving_a_watchlist_from_the_search_box(seed_store, tmp_path, monkeypatch):
    own = tmp_path / "store"
    shutil.copytree(seed_store, own)
    monkeypatch.setenv("NEWSINTEL_STORE", str(own))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    at.sidebar.text_input(key="q").input("Peskov").run()
    open_page(at, "alerts")
    at.text_input(key="wl-name").input("Kremlin voice").run()
    at.button(key="wl-save").click().run()
    assert not at.exception
    assert [w.name for w in alerts.watchlists(own)] == ["Kremlin voice"]
    assert alerts.get(own, "Kremlin voice").query == "Peskov"
    saved = alerts.alerts(own, "Kremlin voice")
    assert set(saved.loc[saved["kind"] == "article", "article_id"]) == search.matching_ids(own, "Peskov")


def test_a_watchlist_keeps_its_filters(seed_store, tmp_path):
    from pipeline.read import query
    from pipeline.read.tables import load_tables

    own = tmp_path / "store"
    shutil.copytree(seed_store, own)
    tables = load_tables(own)
    actor = query.actor_counts(tables["actor_mentions"])["actor"].iloc[0]
    f = query.Filters(actors=(actor,), include_undated=False)
    alerts.save(own, "narrow", "NATO", alerts.filters_to_dict(f))
    alerts.save(own, "wide", "NATO")
    alerts.evaluate(own)
    narrow = set(alerts.alerts(own, "narrow").query("kind == 'article'")["article_id"])
    wide = set(alerts.alerts(own, "wide").query("kind == 'article'")["article_id"])
    with_actor = set(tables["actor_mentions"].loc[tables["actor_mentions"]["actor"] == actor, "article_id"])
    dated = set(tables["articles"].loc[query.article_dates(tables["articles"]) != "", "article_id"])
    assert narrow == wide & with_actor & dated and wide == search.matching_ids(own, "NATO")
