"""The hostile-input suite: every bad input gets a per-file answer and leaves the store unchanged.

Each case builds its input in ``tmp_path`` from real text (``tests/fixtures/ingest``), ingests it into a copy
of a store that already holds articles, and asserts (1) the answer per file / row / member and (2) that every
row stored before is still there, byte for byte, with exactly the expected additions. ``CASES`` lists them;
the count is printed (run with ``-s``) and checked.
"""
from __future__ import annotations

import codecs
import io
import json
import os
import shutil
import sqlite3
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from pipeline import ingest, run, store
from pipeline.stages import dedup

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
ABC = (FIXTURES / "abc_kremlin_talks.txt").read_text(encoding="utf-8")
EU = (FIXTURES / "eu_humanitarian_aid.txt").read_text(encoding="utf-8")
AJ_HTML = (FIXTURES / "aljazeera_deadline.html").read_text(encoding="utf-8")
STATE_TABLES = ("articles", "signatures", "inputs")


def snapshot(store_dir: Path) -> dict[str, set[tuple]]:
    """Every stored row of the state tables (not the run log), as sets of tuples."""
    with sqlite3.connect(store.db_path(store_dir)) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {t: set(conn.execute(f'SELECT * FROM "{t}"').fetchall()) if t in names else set() for t in STATE_TABLES}


@pytest.fixture(scope="module")
def base_store(tmp_path_factory) -> Path:
    """A store holding the EU article and the three BBC rows (ingest only: no NLP stages)."""
    path = tmp_path_factory.mktemp("base") / "store"
    report = run.run([FIXTURES / "eu_humanitarian_aid.txt", FIXTURES / "bbc_politics.csv"], path, stages=False, workers=1)
    assert report.count("added") == 4, report.results
    return path


@pytest.fixture
def fresh_store(base_store, tmp_path) -> Path:
    path = tmp_path / "store"
    shutil.copytree(base_store, path)
    return path


def ingest_into(store_dir: Path, *paths) -> tuple[dict, run.RunReport, dict]:
    """Run an ingest; return (state before, report, state after)."""
    before = snapshot(store_dir)
    report = run.run([str(p) for p in paths], store_dir, stages=False, workers=1)
    after = snapshot(store_dir)
    assert store.check(store_dir) == []
    return before, report, after


def assert_unchanged(before: dict, after: dict, added_articles: int = 0) -> None:
    """Every row stored before is still stored unchanged; exactly ``added_articles`` new articles."""
    for table in STATE_TABLES:
        assert before[table] <= after[table], f"{table}: stored rows changed or vanished"
    assert len(after["articles"]) - len(before["articles"]) == added_articles


def only(report: run.RunReport) -> ingest.IngestResult:
    assert len(report.results) == 1, report.results
    return report.results[0]


def stored_article(store_dir: Path, article_id: str) -> dict:
    frame = store.read(store_dir, "articles")
    rows = frame[frame["article_id"] == article_id].to_dict("records")
    assert len(rows) == 1
    return rows[0]


# ------------------------------------------------------------------------------------------------ cases
CASES: list[str] = []


def case(fn):
    CASES.append(fn.__name__)
    return fn


@case
def test_empty_file(fresh_store, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    before, report, after = ingest_into(fresh_store, tmp_path / "empty.txt")
    assert (only(report).status, only(report).reason) == ("rejected", "empty file")
    assert_unchanged(before, after)


@case
def test_whitespace_only_markdown(fresh_store, tmp_path):
    (tmp_path / "blank.md").write_text("\n   \n\t\n", encoding="utf-8")
    before, report, after = ingest_into(fresh_store, tmp_path / "blank.md")
    assert only(report).status == "rejected" and "empty" in only(report).reason
    assert_unchanged(before, after)


@case
def test_binary_with_txt_extension(fresh_store, tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(4000)
    (tmp_path / "photo.txt").write_bytes(png)
    before, report, after = ingest_into(fresh_store, tmp_path / "photo.txt")
    assert only(report).status == "rejected" and "binary" in only(report).reason
    assert_unchanged(before, after)


@case
def test_binary_with_csv_extension_streamed(fresh_store, tmp_path):
    (tmp_path / "data.csv").write_bytes(b"PK\x03\x04\x14\x00\x00\x00" + os.urandom(20000))
    before, report, after = ingest_into(fresh_store, tmp_path / "data.csv")
    assert only(report).status == "rejected" and "binary" in only(report).reason
    assert_unchanged(before, after)


@case
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "utf-8-sig"])
def test_unicode_with_bom_decoded(fresh_store, tmp_path, encoding):
    if encoding == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + ABC.encode("utf-16-be")
    else:
        data = ABC.encode(encoding)
    (tmp_path / "abc.txt").write_bytes(data)
    before, report, after = ingest_into(fresh_store, tmp_path / "abc.txt")
    result = only(report)
    assert result.status == "added"
    text = stored_article(fresh_store, result.article_id)["text"]
    assert "Kremlin spokesman Dmitry Peskov told journalists" in text
    assert result.article_id == dedup.content_hash(text)[:16]
    assert_unchanged(before, after, added_articles=1)


@case
def test_cp1252_decoded(fresh_store, tmp_path):
    text = EU.replace("’", "’")  # the page's curly apostrophes and the euro sign exist in cp1252
    (tmp_path / "eu_copy.txt").write_bytes(("Windows export\n" + text.replace("EU", "The EU", 1)).encode("cp1252"))
    before, report, after = ingest_into(fresh_store, tmp_path / "eu_copy.txt")
    result = only(report)
    assert result.status in ("added", "near_duplicate")
    stored = stored_article(fresh_store, result.article_id)["text"]
    assert "€153 million" in stored and "\ufffd" not in stored
    assert_unchanged(before, after, added_articles=1)


@case
def test_mixed_utf8_and_cp1252_lines(fresh_store, tmp_path):
    lines = ABC.splitlines()
    data = "\n".join(lines[:4]).encode("utf-8") + b"\n" + "Kremlin’s envoy said the €-denominated deal is “close”.".encode("cp1252") + b"\n" + "\n".join(lines[4:]).encode("utf-8")
    (tmp_path / "mixed.txt").write_bytes(data)
    before, report, after = ingest_into(fresh_store, tmp_path / "mixed.txt")
    result = only(report)
    assert result.status == "added"
    stored = stored_article(fresh_store, result.article_id)["text"]
    assert "Kremlin’s envoy said the €-denominated deal is “close”." in stored
    assert "Russia's invasion of Ukraine" in stored
    assert_unchanged(before, after, added_articles=1)


@case
def test_csv_broken_quoting(fresh_store, tmp_path):
    body = ABC.splitlines()
    rows = [
        "title,text,source",
        f'"Talks constructive, Kremlin says","{body[1]}",ABC News',
        f'Unquoted, comma,"{body[2]}",ABC News',                 # one field too many
        f'"A quote "inside" a field","{body[3]}",ABC News',        # broken quoting
        f'"Peskov on next round","{body[4]} {body[5]}",ABC News',
    ]
    (tmp_path / "export.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    before, report, after = ingest_into(fresh_store, tmp_path / "export.csv")
    got = {r.origin.split("#")[1]: r for r in report.results}
    assert got["line2"].status == "added" and got["line5"].status == "added"
    assert got["line3"].status == "rejected" and "fields" in got["line3"].reason
    assert got["line4"].status == "rejected" and "quoting" in got["line4"].reason
    assert len(report.results) == 4
    assert_unchanged(before, after, added_articles=2)


@case
def test_csv_unclosed_quote(fresh_store, tmp_path):
    body = EU.splitlines()
    rows = ["title,text", f'"First","{body[2]}"', f'"Second","{body[3]}', f'"Third","{body[4]}"']
    (tmp_path / "unclosed.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    before, report, after = ingest_into(fresh_store, tmp_path / "unclosed.csv")
    rejected = [r for r in report.results if r.status == "rejected"]
    assert len(rejected) == 1 and "quoting" in rejected[0].reason and "read as one record" in rejected[0].reason
    assert [r.status for r in report.results if r.status != "rejected"] == ["added"]
    assert_unchanged(before, after, added_articles=1)


@case
def test_csv_missing_text_column(fresh_store, tmp_path):
    (tmp_path / "headlines.csv").write_text("headline,published,link\nNATO meets,2024-07-09,http://x.org/a\n", encoding="utf-8")
    before, report, after = ingest_into(fresh_store, tmp_path / "headlines.csv")
    reason = only(report).reason
    assert only(report).status == "rejected"
    assert "missing column 'text'" in reason and "'headline', 'published', 'link'" in reason and "body" in reason
    assert_unchanged(before, after)


@case
def test_csv_header_only(fresh_store, tmp_path):
    (tmp_path / "header.csv").write_text("title,text\n", encoding="utf-8")
    before, report, after = ingest_into(fresh_store, tmp_path / "header.csv")
    assert only(report).status == "rejected" and "no data rows" in only(report).reason
    assert_unchanged(before, after)


@case
def test_tsv_with_only_text_and_synonyms(fresh_store, tmp_path):
    text = " ".join(ABC.splitlines()[1:4])
    (tmp_path / "wire.tsv").write_text(f"Body\tPublished\tLink\n{text}\t2026-01-26\thttps://abcnews.go.com/x?utm_source=rss\n", encoding="utf-8")
    before, report, after = ingest_into(fresh_store, tmp_path / "wire.tsv")
    result = only(report)
    assert result.status == "added"
    article = stored_article(fresh_store, result.article_id)
    assert (article["date"], article["date_precision"], article["url_key"]) == ("2026-01-26", "day", "abcnews.go.com/x")
    assert_unchanged(before, after, added_articles=1)


@case
def test_jsonl_one_bad_line_among_good(fresh_store, tmp_path):
    good = (FIXTURES / "gdelt_ukraine.jsonl").read_text(encoding="utf-8").splitlines()
    lines = [good[0], '{"text": "Macron said", "date": ', good[1], "[1, 2, 3]", '{"title": "no text field"}', good[2]]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before, report, after = ingest_into(fresh_store, tmp_path / "feed.jsonl")
    got = {r.origin.split("#")[1]: (r.status, r.reason) for r in report.results}
    assert [got[f"line{i}"][0] for i in (1, 3, 6)] == ["added"] * 3
    assert got["line2"][0] == "rejected" and "malformed JSON line" in got["line2"][1]
    assert got["line4"][0] == "rejected" and "not an object" in got["line4"][1]
    assert got["line5"][0] == "rejected" and "missing field 'text'" in got["line5"][1]
    assert_unchanged(before, after, added_articles=3)


@case
def test_json_list_with_a_non_object(fresh_store, tmp_path):
    items = [{"title": "Kremlin on talks", "text": ABC}, "just a string"]
    (tmp_path / "list.json").write_text(json.dumps(items, indent=2), encoding="utf-8")
    before, report, after = ingest_into(fresh_store, tmp_path / "list.json")
    assert sorted((r.origin.split("#")[1], r.status) for r in report.results) == [("item1", "added"), ("item2", "rejected")]
    assert_unchanged(before, after, added_articles=1)


@case
def test_zip_with_parent_paths_writes_nothing_outside(fresh_store, tmp_path):
    target = tmp_path / "inbox"
    target.mkdir()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("../../evil.txt", ABC)
        z.writestr("/etc/evil2.txt", ABC)
        z.writestr("C:/evil3.txt", ABC)
        z.writestr("good/abc.txt", ABC)
    (target / "upload.zip").write_bytes(buf.getvalue())
    listing = sorted(p for p in tmp_path.rglob("*"))
    before, report, after = ingest_into(fresh_store, target / "upload.zip")
    got = {r.origin.split("!")[1]: r for r in report.results}
    assert got["good/abc.txt"].status == "added"
    for name in ("../../evil.txt", "/etc/evil2.txt", "C:/evil3.txt"):
        assert got[name].status == "rejected" and "unsafe path" in got[name].reason
    assert sorted(p for p in tmp_path.rglob("*") if "store" not in p.parts) == [p for p in listing if "store" not in p.parts]
    assert not (tmp_path.parent / "evil.txt").exists()
    assert_unchanged(before, after, added_articles=1)


@case
def test_zip_bomb_stopped_by_size_and_ratio(fresh_store, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("huge.txt", b"\0" * (60 * 1024 * 1024))          # over the member size limit
        z.writestr("dense.txt", b"NATO " * (2 * 1024 * 1024))        # 10 MB compressing ~1000:1
        z.writestr("ok.txt", EU.replace("EU", "European Union"))
    (tmp_path / "bomb.zip").write_bytes(buf.getvalue())
    assert (tmp_path / "bomb.zip").stat().st_size < 1_000_000
    before, report, after = ingest_into(fresh_store, tmp_path / "bomb.zip")
    got = {r.origin.split("!")[1]: r for r in report.results}
    assert got["huge.txt"].status == "rejected" and "over the 52 MB limit" in got["huge.txt"].reason
    assert got["dense.txt"].status == "rejected" and "zip bomb" in got["dense.txt"].reason
    assert got["ok.txt"].status in ("added", "near_duplicate")
    assert_unchanged(before, after, added_articles=1)


@case
def test_zip_inside_zip_and_corrupt_zip(fresh_store, tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("abc.txt", ABC)
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as z:
        z.writestr("inner.zip", inner.getvalue())
    (tmp_path / "nested.zip").write_bytes(outer.getvalue())
    (tmp_path / "corrupt.zip").write_bytes(b"PK\x03\x04" + os.urandom(300))
    before, report, after = ingest_into(fresh_store, tmp_path / "nested.zip", tmp_path / "corrupt.zip")
    reasons = sorted(r.reason for r in report.results)
    assert [r.status for r in report.results] == ["rejected", "rejected"]
    assert reasons == ["not a valid zip archive", "zip inside a zip is not read"]
    assert_unchanged(before, after)


@case
def test_200_mb_text_file_rejected_by_size_unread(fresh_store, tmp_path):
    big = tmp_path / "dump.txt"
    with open(big, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, never read
    before, report, after = ingest_into(fresh_store, big)
    assert only(report).status == "rejected"
    assert "210 MB, over the 52 MB limit for .txt files" in only(report).reason and "streamed" in only(report).reason
    assert_unchanged(before, after)


@case
def test_200_mb_jsonl_streamed_not_loaded_whole(fresh_store, tmp_path):
    big = tmp_path / "dump.jsonl"
    good = (FIXTURES / "gdelt_ukraine.jsonl").read_text(encoding="utf-8").splitlines()
    with open(big, "w", encoding="utf-8") as fh:
        fh.write(good[0] + "\n")
        fh.write('{"text": "')
        chunk = "x" * (1024 * 1024)
        for _ in range(200):
            fh.write(chunk)
        fh.write('"}\n')
        fh.write(good[1] + "\n")
    assert big.stat().st_size > 200 * 1024 * 1024
    tracemalloc.start()
    try:
        before, report, after = ingest_into(fresh_store, big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    got = {r.origin.split("#")[1]: r for r in report.results}
    assert [got[f"line{i}"].status for i in (1, 2, 3)] == ["added", "rejected", "added"]
    assert "longer than 5,000,000 characters" in got["line2"].reason
    assert peak < 60 * 1024 * 1024, f"{peak / 1e6:.0f} MB traced: the 200 MB file was loaded whole"
    assert_unchanged(before, after, added_articles=2)


@case
def test_html_scripts_and_handlers_stored_as_text(fresh_store, tmp_path):
    (tmp_path / "page.html").write_text(AJ_HTML, encoding="utf-8")
    before, report, after = ingest_into(fresh_store, tmp_path / "page.html")
    result = only(report)
    assert result.status == "added"
    article = stored_article(fresh_store, result.article_id)
    for bad in ("alert(", "<script", "onclick", "onerror", "steal()", "document.cookie", "evil.js"):
        assert bad not in article["text"] and bad not in article["boilerplate"]
    assert "June deadline" in article["title"]
    assert "Zelenskyy" in article["text"]
    assert (article["date"], article["date_precision"]) == ("2026-02-07", "day")
    assert article["source"] == "Al Jazeera" and article["author"] == "Al Jazeera Staff"
    assert_unchanged(before, after, added_articles=1)


@case
def test_markup_in_plain_text_is_kept_as_text(fresh_store, tmp_path):
    page = ABC + "\n<script>alert('x')</script> <img src=x onerror=alert(1)>\n"
    (tmp_path / "abc_markup.txt").write_text(page, encoding="utf-8")
    before, report, after = ingest_into(fresh_store, tmp_path / "abc_markup.txt")
    article = stored_article(fresh_store, only(report).article_id)
    assert "<script>alert('x')</script>" in article["text"] + article["boilerplate"]
    assert_unchanged(before, after, added_articles=1)


@case
def test_extremely_long_lines(fresh_store, tmp_path):
    one_line = " ".join(ABC.splitlines()) + " "
    long_line = (one_line * (400_000 // len(one_line) + 1))[:400_000]
    (tmp_path / "one_line.txt").write_text("Kremlin says talks constructive\n" + long_line + "\n", encoding="utf-8")
    too_long = tmp_path / "too_long.md"
    too_long.write_text(one_line * (2_100_000 // len(one_line) + 1), encoding="utf-8")
    before, report, after = ingest_into(fresh_store, tmp_path / "one_line.txt", too_long)
    got = {Path(r.origin).name: r for r in report.results}
    assert got["one_line.txt"].status == "added"
    assert len(stored_article(fresh_store, got["one_line.txt"].article_id)["text"]) > 399_000
    assert got["too_long.md"].status == "rejected" and "over the 2,000,000 limit" in got["too_long.md"].reason
    assert_unchanged(before, after, added_articles=1)


@case
def test_unsupported_and_missing_files(fresh_store, tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(100))
    before, report, after = ingest_into(fresh_store, tmp_path / "report.pdf", tmp_path / "nowhere.txt")
    got = {Path(r.origin).name: r.reason for r in report.results}
    assert got["report.pdf"].startswith("unsupported file type .pdf")
    assert got["nowhere.txt"] == "no such file or folder"
    assert_unchanged(before, after)


@case
def test_exact_duplicate_of_a_stored_article(fresh_store, tmp_path):
    (tmp_path / "again.txt").write_text(EU.upper().replace("\n", "\n\n"), encoding="utf-8")  # case and spacing differ
    before, report, after = ingest_into(fresh_store, tmp_path / "again.txt")
    result = only(report)
    assert result.status == "duplicate" and result.reason.startswith("same text as article")
    eu_id = result.article_id
    assert eu_id in {row[0] for row in before["articles"]}
    assert_unchanged(before, after)


@case
def test_same_input_twice_is_skipped_at_once(fresh_store):
    before, report, after = ingest_into(fresh_store, FIXTURES / "bbc_politics.csv")
    assert [r.status for r in report.results] == ["duplicate"] * 3
    assert all("same input as article" in r.reason for r in report.results)
    assert_unchanged(before, after)


@case
def test_same_normalised_url_is_one_article(fresh_store, tmp_path):
    rows = [
        {"title": "Kremlin: talks constructive", "text": ABC, "url": "https://www.abcnews.go.com/International/wireStory/talks-129558732?utm_source=twitter#top"},
        {"title": "Kremlin: talks constructive (updated)", "text": ABC + "\nThis story has been updated.", "url": "http://abcnews.go.com/International/wireStory/talks-129558732/"},
    ]
    (tmp_path / "urls.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    before, report, after = ingest_into(fresh_store, tmp_path / "urls.jsonl")
    first, second = report.results
    assert first.status == "added"
    assert second.status == "duplicate" and second.reason == f"same URL as article {first.article_id}"
    assert_unchanged(before, after, added_articles=1)


@case
def test_near_duplicate_linked_to_original(fresh_store, tmp_path):
    lines = EU.splitlines()
    copy = "Brussels pledges new aid for Ukraine and Moldova\n" + "\n".join(lines[1:]) + "\nDistributed by Example Wire. All rights reserved."
    (tmp_path / "syndicated.txt").write_text(copy, encoding="utf-8")
    before, report, after = ingest_into(fresh_store, tmp_path / "syndicated.txt")
    result = only(report)
    assert result.status == "near_duplicate"
    original = next(r[0] for r in before["articles"] if "153" in r[9])
    assert result.reason.endswith(f"of article {original}")
    assert stored_article(fresh_store, result.article_id)["duplicate_of"] == original
    assert_unchanged(before, after, added_articles=1)


def test_case_count():
    """The suite's case count, printed for CI logs (pytest -s shows it)."""
    print(f"hostile-input suite: {len(CASES)} cases (+2 parametrised encodings)")
    assert len(CASES) >= 25


def test_read_bytes_upload_and_fields():
    """``read_bytes`` (the app's uploads) answers like a file, with fields mapped by name."""
    out = ingest.read_bytes("upload.csv", b"Headline,Body,Outlet,Author\nNATO meets,The alliance met in Vilnius on Tuesday.,Reuters,Jane Doe\n")
    assert out.rejected == []
    doc = out.documents[0]
    assert (doc.title, doc.source, doc.author, doc.origin) == ("NATO meets", "Reuters", "Jane Doe", "upload.csv#line2")


def test_a_site_name_in_the_headline_line_becomes_the_source():
    """A plain-text page whose first line is "Headline - Site" gets the headline as title and the site as source."""
    page = ("Talks with US and Ukraine were constructive but major challenges remain, Kremlin says - ABC News\n"
            "Negotiations aimed at ending Russia’s invasion of Ukraine are yielding apparent signs of progress, but major "
            "challenges remain on the path to a final settlement, a senior Kremlin official said Monday.\n")
    doc = ingest.read_bytes("talks.txt", page.encode("utf-8")).documents[0]
    article = ingest.to_article(doc)
    assert article["title"] == "Talks with US and Ukraine were constructive but major challenges remain, Kremlin says"
    assert article["source"] == "ABC News"
    assert article["text"].startswith(article["title"] + "\nNegotiations aimed")
