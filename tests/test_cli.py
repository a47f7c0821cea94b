"""The command-line contract as a client uses it: run, export, extract, check."""
import csv
import json
import subprocess
import sys

from conftest import PROJECT_ROOT, seed_path


def pipeline(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], input=stdin, capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=600)


def test_run_twice_then_export_has_five_articles_once(tmp_path):
    store = tmp_path / "store"
    first = pipeline("run", "seeds", "--store", str(store), "--quiet")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("5 added")
    second = pipeline("run", "seeds", "--store", str(store), "--quiet")
    assert second.returncode == 0 and "0 added" in second.stdout and "5 duplicates" in second.stdout
    out = pipeline("export", "--store", str(store), "--out", str(tmp_path / "out"), "--format", "csv")
    assert out.returncode == 0, out.stderr
    with open(tmp_path / "out" / "articles.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 5
    assert {r["date"] for r in rows} == {"2021-10-22", ""}   # 002's only date is a photo caption's: unknown
    assert pipeline("check", "--store", str(store)).returncode == 0


def test_extract_dates_answers_every_good_line_and_names_the_bad_one():
    lines = "\n".join([
        json.dumps({"id": "a", "text": seed_path("000").read_text(encoding="utf-8")}),
        "{not json",
        json.dumps({"id": "b", "text": "Talks resumed on 4 April 2018."}),
    ]) + "\n"
    p = pipeline("extract", "dates", stdin=lines)
    assert p.returncode == 0
    got = {o["id"]: o["results"] for o in map(json.loads, p.stdout.splitlines())}
    assert set(got) == {"a", "b"}
    assert got["a"][0]["date"] == "2021-10-22" and got["a"][0]["text"] == "10/22/2021"
    assert got["b"] == [{"date": "2018-04-04", "date_precision": "day", "start": 17, "end": 29, "text": "4 April 2018"}]
    assert "line 2" in p.stderr and "Traceback" not in p.stderr


def test_export_without_a_store_says_so_without_a_traceback(tmp_path):
    p = pipeline("export", "--store", str(tmp_path / "nothing"), "--out", str(tmp_path / "out"))
    assert p.returncode == 2
    assert "no store" in p.stderr and "Traceback" not in p.stderr
