"""The pipeline's command-line contract, checked from the outside as any client uses it (the real
`python -m pipeline` on the seeds): the files a deployment needs, five tables with their columns, offsets inside the
article text, a second run adding nothing, and `extract` answering every good line past a malformed one.

This is what ``../shared/checks/contract`` checks; the project's own suite covers it, so a clone needs nothing beside it.
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = sorted((PROJECT / "seeds").glob("*.txt"))
TABLES = {
    "articles": ["article_id", "title", "date", "date_precision", "source", "text", "boilerplate", "cluster_id"],
    "clusters": ["cluster_id", "label", "top_terms", "size"],
    "actor_mentions": ["article_id", "actor", "actor_type", "role", "start", "end", "sentence"],
    "signals": ["article_id", "category", "polarity", "modality", "weight", "start", "end", "evidence"],
    "figures": ["article_id", "kind", "value", "unit", "qualifier", "actor", "start", "end", "text"],
}


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=PROJECT, input=stdin, capture_output=True,
                          text=True, timeout=900)


def ok(*args: str) -> str:
    proc = cli(*args)
    assert proc.returncode == 0, f"`python -m pipeline {' '.join(args)}` exited {proc.returncode}: {proc.stderr[-800:]}"
    assert "Traceback" not in proc.stderr
    return proc.stdout


def table(folder: Path, name: str) -> list[dict]:
    csv_path, jsonl_path = folder / f"{name}.csv", folder / f"{name}.jsonl"
    if csv_path.exists():
        csv.field_size_limit(1 << 30)
        with csv_path.open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    assert jsonl_path.exists(), f"the export has no {name}.csv or {name}.jsonl"
    return [json.loads(line) for line in jsonl_path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> tuple[Path, Path]:
    """The seeds run into a store and exported as CSV; run again and exported as JSONL."""
    d = tmp_path_factory.mktemp("contract")
    ok("run", "seeds", "--store", str(d / "store"))
    ok("export", "--store", str(d / "store"), "--out", str(d / "one"), "--format", "csv")
    ok("run", "seeds", "--store", str(d / "store"))
    ok("export", "--store", str(d / "store"), "--out", str(d / "two"), "--format", "jsonl")
    return d / "one", d / "two"


def test_a_deployment_has_its_files_and_the_five_seeds():
    assert len(SEEDS) == 5
    for name in ("README.md", "requirements.txt", ".ci/run", ".streamlit", "dashboard/app.py"):
        assert (PROJECT / name).exists(), name


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_has_its_columns_and_a_second_run_adds_nothing(exports, name):
    one, two = exports
    rows = table(one, name)
    assert rows, f"{name} is empty on the seeds"
    assert [c for c in TABLES[name] if c not in rows[0]] == []
    assert len(table(two, name)) == len(rows)


def test_five_seed_articles_and_every_offset_inside_its_article(exports):
    one, _ = exports
    articles = table(one, "articles")
    assert len(articles) == 5
    texts = {a["article_id"]: a["text"] for a in articles}
    for name in ("actor_mentions", "signals", "figures"):
        rows = table(one, name)
        for r in rows:
            start, end = int(float(r["start"])), int(float(r["end"]))
            assert 0 <= start < end <= len(texts[str(r["article_id"])]), (name, r)


@pytest.mark.parametrize("stage", ["figures", "actors", "signals", "dates"])
def test_extract_answers_every_good_line_and_names_the_malformed_one(stage):
    lines = (json.dumps({"id": "a", "text": SEEDS[-1].read_text(encoding="utf-8")}) + "\n" + "not json\n"
             + json.dumps({"id": "b", "text": "NATO met."}) + "\n")
    proc = cli("extract", stage, stdin=lines)
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [a["id"] for a in answers] == ["a", "b"]
    assert all("results" in a for a in answers)
    assert "Traceback" not in proc.stderr
    assert "line 2" in proc.stderr


@pytest.mark.parametrize("name", list(TABLES))
def test_the_schema_declares_the_contract_and_the_export_writes_what_the_schema_declares(exports, name):
    from pipeline import schema

    one, _ = exports
    assert [c for c in TABLES[name] if c not in schema.columns(name)] == []
    with (one / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == schema.columns(name)
