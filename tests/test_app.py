"""Every page renders on the seed store (AppTest, in-process), and the sidebar filters change what it shows."""
import json

import pytest
from streamlit.testing.v1 import AppTest

ENTRY = "../dashboard/app.py"
PAGES = ["overview", "topics", "actors", "spending", "tension", "reader", "data"]


@pytest.fixture()
def app(seed_store, monkeypatch):
    monkeypatch.setenv("NEWSINTEL_STORE", str(seed_store))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def open_page(at, name):
    at.switch_page(f"views/{name}.py").run()
    assert not at.exception, at.exception
    return at


def texts(at):
    """All text a person would read on the page (titles, markdown, captions, metrics, infos)."""
    parts = [t.value for t in at.title] + [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [str(m.value) for m in at.metric] + [i.value for i in at.info] + [s.value for s in at.subheader]
    return "\n".join(parts)


@pytest.mark.parametrize("name, title", [
    ("overview", "NATO–Russia tension monitor"), ("topics", "Topic clusters"), ("actors", "Actors"),
    ("spending", "Spending tracker"), ("tension", "Tension over time"), ("reader", "Article reader"),
    ("data", "Add & export data"),
])
def test_each_page_renders_with_content(app, name, title):
    open_page(app, name)
    assert app.title[0].value == title
    assert (len(app.get("plotly_chart")) + len(app.get("echarts_chart")) + len(app.dataframe) + len(app.get("html"))
            + len(app.get("download_button"))) > 0


def test_overview_counts_the_five_seeds(app):
    assert app.metric[0].value == "5"
    assert "Latest articles" in texts(app)


def test_actor_filter_changes_the_overview(app):
    app.sidebar.multiselect(key="actor").set_value(["Dmitry Peskov"]).run()
    assert not app.exception
    assert app.metric[0].value == "2"


def test_date_filter_with_no_match_says_what_to_do(app):
    import datetime as dt

    app.sidebar.date_input(key="from").set_value(dt.date(2030, 1, 1)).run()
    app.sidebar.checkbox(key="undated").uncheck().run()
    assert "No articles match the filters" in texts(app)


def test_signal_filter_changes_the_tension_page(app):
    open_page(app, "tension")
    before = len(app.dataframe[0].value)
    category = app.sidebar.multiselect(key="signal").options[0]
    app.sidebar.multiselect(key="signal").set_value([category]).run()
    after = app.dataframe[0].value
    assert 0 < len(after) < before or set(after["category"]) == {category}


def test_tension_evidence_is_its_own_section_with_the_strongest_period_first(app):
    open_page(app, "tension")
    assert "Evidence behind a period" not in [s.value for s in app.main.subheader]
    app.button_group(key="tension-section").set_value("Evidence behind a period").run()
    assert not app.exception, app.exception
    assert [s.value for s in app.main.subheader] == ["Evidence behind a period"]
    period = app.selectbox(key="tension-period")
    assert period.options and "net" in period.options[0]
    evidence = app.dataframe[0].value
    assert len(evidence) > 0 and {"Trigger", "Sentence", "score", "confidence"} <= set(evidence.columns)
    # the trained coder's confidence is shown with every signal, a probability
    assert evidence["confidence"].between(0, 1).all()


def test_reader_shows_highlights_and_boilerplate_apart(app):
    open_page(app, "reader")
    html_blocks = [h.proto.body for h in app.get("html")]
    assert any('<mark class="hl' in b for b in html_blocks)
    assert "Page furniture removed" in texts(app) or any("furniture" in b for b in html_blocks)


def test_overview_signal_chart_is_a_bar_chart_of_the_seed_categories_in_words(app, seed_tables):
    """Bars read the category's label ("Threats and ultimatums"), never its id ("threat_ultimatum"), on the
    axis of the one tension measure, whose escalation bars add up to the headline's escalation."""
    from pipeline.read import tension
    from pipeline.read.labels import label
    spec = json.loads(app.get("echarts_chart")[0].proto.spec)
    assert {s["type"] for s in spec["series"]} == {"bar"}
    categories = set(seed_tables["signals"]["category"])
    assert set(spec["yAxis"]["data"]) == {label("signal_category", c) for c in categories}
    assert not set(spec["yAxis"]["data"]) & categories
    assert spec["xAxis"]["name"] == "tension score"
    escalation = next(s for s in spec["series"] if s["name"] == "escalation")
    bars = sum(v if isinstance(v, (int, float)) else (v or {}).get("value") or 0 for v in escalation["data"])
    assert round(bars, 1) == round(tension.balance(seed_tables["signals"])["escalation"], 1)
    assert "Net tension score" in [m.label for m in app.metric]


# ---------------------------------------------------------------- workbench: chips, cross-filtering, URL, exports

def chip_labels(at):
    return [b.label for b in at.button if b.key and b.key.startswith("chip-") and b.key != "chip-clear-all"]


def test_no_chips_without_filters(app):
    assert chip_labels(app) == []


def test_filters_show_as_chips_and_one_removes_its_value(app):
    app.sidebar.multiselect(key="actor").set_value(["Dmitry Peskov", "NATO"]).run()
    assert chip_labels(app) == ["Actor: Dmitry Peskov", "Actor: NATO"]
    app.button(key="chip-actor-NATO").click().run()
    assert not app.exception
    assert app.sidebar.multiselect(key="actor").value == ["Dmitry Peskov"]
    assert app.metric[0].value == "2"


def test_an_old_period_can_be_filtered_on(app):
    """A click on a 1903 bar (archives in the 10k store reach back that far) sets From and To as for any period."""
    import datetime as dt

    app.session_state["from"], app.session_state["to"] = dt.date(1903, 1, 1), dt.date(1903, 12, 31)
    app.run()
    assert not app.exception
    assert app.sidebar.date_input(key="from").value == dt.date(1903, 1, 1)
    assert any("1903-01-01" in label for label in chip_labels(app))


def test_clear_all_resets_every_filter(app):
    import datetime as dt

    app.sidebar.multiselect(key="actor").set_value(["Dmitry Peskov"]).run()
    app.sidebar.date_input(key="from").set_value(dt.date(2021, 1, 1)).run()
    assert len(chip_labels(app)) == 2
    app.button(key="chip-clear-all").click().run()
    assert chip_labels(app) == [] and app.metric[0].value == "5"
    assert app.sidebar.date_input(key="from").value is None


def test_overview_charts_cross_filter(app):
    charts = app.get("echarts_chart")
    assert len(charts) == 3
    assert all(c.proto.selection_activated for c in charts)


def test_bad_link_parameters_give_a_notice_not_an_error(seed_store, monkeypatch):
    monkeypatch.setenv("NEWSINTEL_STORE", str(seed_store))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params["actor"] = ["Nobody Known"]
    at.query_params["from"] = "2021-02-30"
    at.run()
    assert not at.exception
    notices = [i.value for i in at.info]
    assert any("'Nobody Known'" in n for n in notices) and any("2021-02-30" in n for n in notices)
    assert at.metric[0].value == "5"


def test_link_to_a_sentence_opens_the_reader_there(app, seed_tables):
    signal = seed_tables["signals"].iloc[0]
    app.switch_page("views/reader.py")
    app.query_params["article"] = signal["article_id"]
    app.query_params["at"] = str(int(signal["start"]))
    app.run()
    assert not app.exception
    assert app.selectbox(key="article").value == signal["article_id"]
    blocks = [h.proto.body for h in app.get("html")]
    assert any('id="reader-focus"' in b for b in blocks)
    quoted = [b for b in blocks if b.startswith("<blockquote")]
    assert quoted and signal["evidence"][:30].replace("&", "&amp;") in quoted[0].replace("<br>\n", "\n")


def test_data_page_offers_every_table_and_the_brief(app):
    open_page(app, "data")
    labels = [(d.proto.label, d.key) for d in app.get("download_button")]
    for name in ("articles", "clusters", "actor_mentions", "signals", "figures"):
        assert ("CSV", f"csv-{name}") in labels and ("JSON", f"json-{name}") in labels
    assert any(key == "brief" for _, key in labels)


@pytest.mark.parametrize("name, keys", [
    ("actors", {"actors-bar"}),
    ("spending", {"spending-time", "spending-actor-chart"}),   # claims by first report, EUR per actor
    ("tension", {"tension-index"}),
    ("topics", {"topics-map", "topics-time"}),
])
def test_stage_page_charts_are_wired_into_cross_filtering(app, name, keys):
    open_page(app, name)
    wired = [c.proto.id for c in app.get("echarts_chart") if c.proto.selection_activated]
    assert all(any(key in chart_id for chart_id in wired) for key in keys), (keys, wired)


# ---------------------------------------------------------------- the store missing, busy, damaged or expired

def error_texts(at):
    return "\n".join(e.value for e in at.error)


def test_a_damaged_store_is_explained_with_what_to_do(tmp_path, monkeypatch):
    (tmp_path / "store.sqlite").write_bytes(b"this is not a database " * 200)
    monkeypatch.setenv("NEWSINTEL_STORE", str(tmp_path))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    assert not at.exception
    message = error_texts(at)
    assert "could not be read" in message and "damaged" in message
    assert f"python -m pipeline run seeds --store {tmp_path}" in message
    assert [b.key for b in at.button] == ["store-error-retry"]
    assert not at.title   # no page drawn over a store that cannot be read


def test_a_store_with_a_renamed_column_says_so_instead_of_showing_empty_pages(tmp_path, seed_store, monkeypatch):
    import shutil
    import sqlite3

    renamed = tmp_path / "renamed"
    shutil.copytree(seed_store, renamed)
    conn = sqlite3.connect(renamed / "store.sqlite")
    conn.execute("ALTER TABLE actor_mentions RENAME COLUMN actor TO who")
    conn.commit()
    conn.close()
    monkeypatch.setenv("NEWSINTEL_STORE", str(renamed))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    assert not at.exception
    message = error_texts(at)
    assert "does not fit this dashboard's schema" in message and "actor_mentions" in message and "who" in message
    assert f"python -m pipeline run seeds --store {renamed}" in message
    assert not at.title


def test_a_store_busy_being_rebuilt_says_wait_and_try_again(tmp_path, seed_store, monkeypatch):
    import shutil
    import sqlite3

    from pipeline.read import tables

    busy = tmp_path / "busy"
    shutil.copytree(seed_store, busy)   # a path of its own: the tables cache has not seen it

    def locked(path):
        exc = sqlite3.OperationalError("database is locked")
        exc.sqlite_errorname = "SQLITE_BUSY"   # as SQLite sets it (the page reads the code, not the words)
        raise exc

    monkeypatch.setattr(tables, "load_tables", locked)
    monkeypatch.setenv("NEWSINTEL_STORE", str(busy))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    assert not at.exception
    assert "busy" in error_texts(at) and "Try again" in error_texts(at)
    monkeypatch.undo()
    monkeypatch.setenv("NEWSINTEL_STORE", str(busy))
    at.button(key="store-error-retry").click().run()   # the run has finished: the page comes back
    assert not at.exception and not at.error
    assert at.metric[0].value == "5"


def test_an_expired_session_store_falls_back_to_the_shared_articles_with_a_notice(app, tmp_path):
    app.session_state["_session_store"] = str(tmp_path / "session-store-gone")
    app.run()
    assert not app.exception
    assert any("uploaded articles were removed" in w.value for w in app.warning)
    assert app.metric[0].value == "5"
    app.run()
    assert not any("uploaded articles were removed" in w.value for w in app.warning)   # said once


def test_dated_only_chip_goes_back_to_including_undated(app):
    app.sidebar.checkbox(key="undated").uncheck().run()
    assert "Dated articles only" in chip_labels(app)
    app.button(key="chip-undated-False").click().run()
    assert not app.exception
    assert app.sidebar.checkbox(key="undated").value is True and chip_labels(app) == []
    assert app.metric[0].value == "5"


def _sync_url_script(store_dir: str, fail: bool):
    import streamlit as st

    from dashboard import state
    from pipeline.read import query, tables

    if fail:
        def gone(values):
            raise AttributeError("'QueryParams' object has no attribute 'set_with_no_forward_msg'")

        state._write_bound_params = gone
    loaded = tables.load_tables(store_dir)
    st.write(f"synced={state.sync_url(query.Filters(actors=('Dmitry Peskov',)), loaded)}")


def test_url_sync_writes_a_missing_filter_into_the_address_bar(seed_store):
    # Streamlit's private query-parameter API is the only way to write a bound widget's parameter: this
    # fails when an upgrade changes it, instead of URL sync silently turning off.
    at = AppTest.from_function(_sync_url_script, args=(str(seed_store), False), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert at.markdown[0].value == "synced=True"
    assert at.query_params["actor"] == "Dmitry Peskov"


def test_url_sync_on_a_changed_streamlit_logs_the_failure_and_keeps_the_page(seed_store, caplog):
    import logging

    at = AppTest.from_function(_sync_url_script, args=(str(seed_store), True), default_timeout=60)
    with caplog.at_level(logging.WARNING, logger="dashboard.state"):
        at.run()
    assert not at.exception, at.exception
    assert at.markdown[0].value == "synced=False"
    assert "URL sync is off" in caplog.text and "set_with_no_forward_msg" in caplog.text


def test_no_page_load_imports_spacy_or_scikit_learn(seed_store):
    # Pages read through pipeline.read and the schema: opening every page of a built store loads neither the NLP
    # model's library nor the topic model's (bench/page_imports.py prints the import time and memory per page).
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = ("import sys; from streamlit.testing.v1 import AppTest\n"
            "at = AppTest.from_file('dashboard/app.py', default_timeout=120); at.run(); assert not at.exception\n"
            f"for page in {PAGES[1:]!r}:\n"
            "    at.switch_page(f'views/{page}.py').run(); assert not at.exception, (page, at.exception)\n"
            "print(sorted(m for m in ('spacy', 'sklearn', 'scipy') if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=600,
                          env={**os.environ, "NEWSINTEL_STORE": str(seed_store), "PYTHONPATH": str(root)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]"


#: The pipeline modules a page may import besides pipeline.read and pipeline.schema: the writes a page really
#: makes (an upload, an analyst's correction, a watchlist saved or marked read) and the watcher's one cycle.
WRITE_SEAMS = {"pipeline.uploads", "pipeline.corrections", "pipeline.alerts", "pipeline.watch"}


def _pipeline_imports(path):
    """What a file imports from the pipeline: local name → module (``from pipeline import alerts as w`` → pipeline.alerts)."""
    import ast

    found = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "pipeline":
            found.update({a.asname or a.name: f"pipeline.{a.name}" for a in node.names})
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline."):
            found.update({a.asname or a.name: node.module for a in node.names})
        elif isinstance(node, ast.Import):
            found.update({a.asname or a.name: a.name for a in node.names if a.name.startswith("pipeline")})
    return found


def test_pages_import_only_the_read_side_the_schema_and_the_write_seams():
    from pathlib import Path

    views = Path(__file__).resolve().parents[1] / "dashboard" / "views"
    for page in sorted(views.glob("*.py")) + [views.parent / "components.py"]:
        for module in _pipeline_imports(page).values():
            assert (module.startswith(("pipeline.read", "pipeline.schema")) or module in WRITE_SEAMS), (page.name, module)
    alerts_page = (views / "alerts.py").read_text(encoding="utf-8")
    imported = _pipeline_imports(views / "alerts.py")
    assert imported["alerts"] == "pipeline.read" and imported["watchlist_writes"] == "pipeline.alerts"
    import re
    writes = set(re.findall(r"watchlist_writes\.(\w+)", alerts_page))
    assert writes == {"save", "evaluate", "mark_read"}   # what the page writes; every read is pipeline.read.alerts


def test_an_inferred_year_reads_inferred_on_every_page_that_shows_a_date(app, seed_tables):
    """Seed 004 has no date of its own; its year 2025 is inferred from the upcoming summit in The Hague."""
    latest = app.dataframe[0].value
    assert "2025 (inferred)" in set(latest["date"]) and "2025" not in set(latest["date"])
    app.switch_page("views/reader.py")
    arts = seed_tables["articles"]
    app.query_params["article"] = arts.loc[arts["date_inferred"] == "2025", "article_id"].iloc[0]
    app.run()
    assert not app.exception
    assert "Date: 2025 (inferred)" in texts(app)
    for frame in app.dataframe:          # the reader's signal/actor/figure tables: words, never ids or "None"
        cells = set(frame.value.astype(str).to_numpy().ravel())
        assert "None" not in cells and "threat_ultimatum" not in cells


def _older_signals_record(store_dir):
    """Make a store say an older version of the signals stage wrote it (as after a pipeline upgrade)."""
    from pipeline import registry, store

    versions = {**registry.versions(), "signals": registry.get("signals").version - 1}
    store.write(store_dir, meta={store.STAGE_VERSIONS_KEY: json.dumps(versions)})


def test_the_projects_seed_store_is_rebuilt_when_the_stages_have_changed(tmp_path, monkeypatch):
    """After an upgrade the app never shows what older stages found in its own seed store: it rebuilds it once,
    keeping the watchlists an analyst saved there."""
    from dashboard import state
    from pipeline import alerts, run
    from pipeline.read.tables import stale_stages

    default = tmp_path / ".store" / "seeds"
    run.run([state.SEEDS_DIR], default)
    alerts.save(default, "Skripal follow-up", "Skripal OR Novichok")
    _older_signals_record(default)
    monkeypatch.delenv("NEWSINTEL_STORE", raising=False)
    monkeypatch.setattr(state, "DEFAULT_STORE", default)
    at = AppTest.from_file(ENTRY, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert stale_stages(default) == []
    assert alerts.get(default, "Skripal follow-up").query == "Skripal OR Novichok"
    assert not [w for w in at.warning if "other versions" in w.value]


def test_the_projects_seed_store_is_checked_for_older_stages_once_per_store_version(seed_store, tmp_path, monkeypatch):
    """A rerun (every click) does not read the store's stage versions again; a write to the store does."""
    import shutil

    from dashboard import state
    from pipeline import alerts
    from pipeline.read import tables

    default = tmp_path / ".store" / "seeds"
    shutil.copytree(seed_store, default)
    monkeypatch.delenv("NEWSINTEL_STORE", raising=False)
    monkeypatch.setattr(state, "DEFAULT_STORE", default)
    at = AppTest.from_file(ENTRY, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    calls = []
    real = tables.stale_stages
    monkeypatch.setattr(tables, "stale_stages", lambda path: calls.append(path) or real(path))
    at.run()
    at.sidebar.multiselect(key="actor").set_value(["Dmitry Peskov"]).run()
    assert not at.exception and at.metric[0].value == "2"
    assert calls == []
    alerts.save(default, "Kremlin voice", "Peskov")   # the store changes: its stage versions are read once more
    at.run()
    assert not at.exception
    assert [str(p) for p in calls].count(str(default)) >= 1


def test_a_store_written_by_older_stages_is_read_with_a_notice_and_left_alone(seed_store, tmp_path, monkeypatch):
    import shutil

    from pipeline import store

    copy = tmp_path / "analyst_store"
    shutil.copytree(seed_store, copy)
    _older_signals_record(copy)
    before = store.stage_versions(copy)
    monkeypatch.setenv("NEWSINTEL_STORE", str(copy))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    [notice] = [w.value for w in at.warning if "other versions" in w.value]
    assert "signals" in notice and f"python -m pipeline retag signals --store {copy}" in notice
    assert store.stage_versions(copy) == before


@pytest.mark.parametrize("name", PAGES)
def test_no_table_shows_none_for_a_missing_value(app, name):
    """Issue #16: an analyst reads a blank, never "None", where a value is missing (every table sets it)."""
    open_page(app, name)
    if name == "spending":   # its tables sit behind a section switch: check each section
        sections = ["Ledger", "Shares of GDP", "Every figure"]
    else:
        sections = [None]
    for section in sections:
        if section:
            app.button_group(key="spending-section").set_value(section).run()
        for frame in app.dataframe:
            assert frame.proto.HasField("placeholder") and frame.proto.placeholder == "", (name, section)


def test_every_page_opens_on_a_parquet_store(seed_store, tmp_path, monkeypatch):
    """A store converted to Parquet (built for scale) opens on every page without an error; the Alerts page says
    why it keeps no watchlists there instead of failing on SQL."""
    from pipeline.store import parquet

    converted = tmp_path / "parquet"
    parquet.convert(seed_store, converted)
    monkeypatch.setenv("NEWSINTEL_STORE", str(converted))
    for page in [*PAGES, "search", "alerts"]:
        at = AppTest.from_file(ENTRY, default_timeout=60)
        at.run()
        if page != "overview":
            at.switch_page(f"views/{page}.py").run()
        assert not at.exception, page
        assert not at.error, (page, error_texts(at))
        assert at.title, page
    assert "Parquet store" in " ".join(i.value for i in at.info) and not at.button   # alerts: said, no save form
