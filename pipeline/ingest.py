"""Ingest: files and folders in, article records out, and an answer for every input.

Formats (by extension):

- ``.txt``, ``.md``: one article per file; the page's own lines give headline,
  date and boilerplate (``pipeline.clean``, ``pipeline.dates``).
- ``.csv``, ``.tsv``: one article per row; columns ``title``, ``text``,
  ``date``, ``source``, ``url`` matched by name (case-insensitive; ``body``,
  ``content``, ``headline``, ``published``, ``link`` … accepted as synonyms).
  ``text`` is required.
- ``.jsonl``, ``.json``: one object per line (or a JSON list), same fields.
- ``.html``, ``.htm``: main text, title and date extracted by trafilatura.
- ``.zip``: every member of the above types, read in memory with size limits.

Every input gets an :class:`IngestResult`: ``added``, ``duplicate`` (of
which article) or ``rejected`` with a reason a person understands. A bad row
or file never stops the others.

Article records (:data:`ARTICLE_COLUMNS`, the ``articles`` table):

``article_id``          16 hex chars of the SHA-256 of the normalised main text (same text → same id).
``title``               headline.
``date``                ISO date read from the page (YYYY-MM-DD | YYYY-MM | YYYY) or "" (see ``pipeline.dates``).
``date_precision``      day | month | year | unknown.
``date_evidence``       the text the date was read from.
``date_inferred``       year inferred from dated events when ``date`` is empty, else "".
``date_inferred_from``  why (the event and the words that name it).
``source``              outlet, from the input's field or a known page signature, "" if unknown.
``url``                 the article's URL, "" if unknown.
``text``                main text after boilerplate removal; all offsets refer to it.
``boilerplate``         the removed page furniture, one line per removed line.
``content_hash``        full SHA-256 of the normalised main text.
``duplicate_of``        article_id of the original when this is a near-duplicate copy, else "".
``cluster_id``          topic cluster (``pipeline.topics``), −1 for unclustered.
``origin``              where it came from: file path, plus ``#row`` or ``!member``.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from pipeline import clean, dates, dedup

ARTICLE_COLUMNS = [
    "article_id", "title", "date", "date_precision", "date_evidence", "date_inferred", "date_inferred_from",
    "source", "url", "text", "boilerplate", "content_hash", "duplicate_of", "cluster_id", "origin",
]
SUPPORTED_SUFFIXES = {".txt", ".md", ".csv", ".tsv", ".jsonl", ".json", ".html", ".htm", ".zip"}
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBER_BYTES = 50 * 1024 * 1024
MAX_ZIP_TOTAL_BYTES = 500 * 1024 * 1024
MAX_ZIP_RATIO = 200
MIN_TEXT_CHARS = 20
SOURCE_SIGNATURES_FILE = Path(__file__).parent / "data" / "source_signatures.csv"

_FIELD_SYNONYMS = {
    "title": ("title", "headline", "heading", "name"),
    "text": ("text", "body", "content", "article", "full_text", "maintext", "story"),
    "date": ("date", "published", "publish_date", "published_at", "pubdate", "datetime", "time", "timestamp"),
    "source": ("source", "outlet", "publisher", "site", "domain", "source_name"),
    "url": ("url", "link", "href", "source_url"),
}


@dataclass
class RawDocument:
    """One article as read from an input, before cleaning."""

    origin: str
    page: str
    title: str = ""
    date: str = ""
    source: str = ""
    url: str = ""
    is_html: bool = False


@dataclass
class IngestResult:
    """The answer for one input (file, row, line or zip member)."""

    origin: str
    status: str  # added | duplicate | rejected
    reason: str = ""
    article_id: str = ""


@dataclass
class ReadOutcome:
    """What reading some inputs gave: documents to process and inputs already rejected."""

    documents: list[RawDocument] = field(default_factory=list)
    rejected: list[IngestResult] = field(default_factory=list)


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand files and folders (recursively, sorted) into the files to read."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            yield from sorted(f for f in path.rglob("*") if f.is_file() and not f.name.startswith("."))
        else:
            yield path


def read_paths(paths: Iterable[str | Path]) -> ReadOutcome:
    """Read files and folders; unreadable inputs come back as ``rejected`` results."""
    out = ReadOutcome()
    for path in iter_input_files(paths):
        if not path.exists():
            out.rejected.append(IngestResult(str(path), "rejected", "no such file or folder"))
            continue
        try:
            size = path.stat().st_size
        except OSError as exc:
            out.rejected.append(IngestResult(str(path), "rejected", f"cannot read: {exc.strerror or exc}"))
            continue
        if size > MAX_FILE_BYTES:
            out.rejected.append(IngestResult(str(path), "rejected", f"file is {size / 1e6:.0f} MB, over the {MAX_FILE_BYTES // 1_000_000} MB limit"))
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            out.rejected.append(IngestResult(str(path), "rejected", f"cannot read: {exc.strerror or exc}"))
            continue
        _read_bytes(str(path), path.suffix.lower(), data, out)
    return out


def read_bytes(name: str, data: bytes) -> ReadOutcome:
    """Read one in-memory file (an upload), dispatching on its name's extension."""
    out = ReadOutcome()
    if len(data) > MAX_FILE_BYTES:
        out.rejected.append(IngestResult(name, "rejected", f"file is {len(data) / 1e6:.0f} MB, over the {MAX_FILE_BYTES // 1_000_000} MB limit"))
        return out
    _read_bytes(name, Path(name).suffix.lower(), data, out)
    return out


def _read_bytes(origin: str, suffix: str, data: bytes, out: ReadOutcome, depth: int = 0) -> None:
    if suffix not in SUPPORTED_SUFFIXES:
        out.rejected.append(IngestResult(origin, "rejected", f"unsupported file type {suffix or '(none)'}; expected one of {', '.join(sorted(SUPPORTED_SUFFIXES))}"))
        return
    if suffix == ".zip":
        if depth:
            out.rejected.append(IngestResult(origin, "rejected", "zip inside a zip is not read"))
            return
        _read_zip(origin, data, out)
        return
    if not data.strip():
        out.rejected.append(IngestResult(origin, "rejected", "empty file"))
        return
    try:
        text = decode_text(data)
    except ValueError as exc:
        out.rejected.append(IngestResult(origin, "rejected", str(exc)))
        return
    if suffix in (".txt", ".md"):
        out.documents.append(RawDocument(origin, text))
    elif suffix in (".csv", ".tsv"):
        _read_table(origin, text, "\t" if suffix == ".tsv" else ",", out)
    elif suffix in (".jsonl", ".json"):
        _read_json(origin, text, out)
    elif suffix in (".html", ".htm"):
        _read_html(origin, text, out)


def decode_text(data: bytes) -> str:
    """Decode bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else the best detected charset.

    Raises ``ValueError`` for binary data.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:2_000_000]).best()
        if best is None:
            raise ValueError("binary or undecodable content, not text") from None
        text = data.decode(best.encoding, errors="replace")
    if "\x00" in text[:10_000] or _control_share(text[:10_000]) > 0.05:
        raise ValueError("binary content, not text")
    return text


def _control_share(sample: str) -> float:
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / len(sample)


def _pick_fields(keys: Iterable[str]) -> dict[str, str]:
    lowered = {k.strip().lower().lstrip("\ufeff"): k for k in keys if isinstance(k, str)}
    picked = {}
    for name, synonyms in _FIELD_SYNONYMS.items():
        for s in synonyms:
            if s in lowered:
                picked[name] = lowered[s]
                break
    return picked


def _record_document(origin: str, record: dict, fields: dict[str, str]) -> RawDocument | IngestResult:
    text = record.get(fields.get("text", ""), "")
    text = "" if text is None else str(text)
    if not text.strip():
        return IngestResult(origin, "rejected", "no text in this record")

    def get(name: str) -> str:
        value = record.get(fields.get(name, ""), "")
        return "" if value is None else str(value).strip()

    return RawDocument(origin, text, title=get("title"), date=get("date"), source=get("source"), url=get("url"))


def _read_table(origin: str, text: str, delimiter: str, out: ReadOutcome) -> None:
    csv.field_size_limit(MAX_FILE_BYTES)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    fields = _pick_fields(reader.fieldnames or [])
    if "text" not in fields:
        have = ", ".join(reader.fieldnames or []) or "none"
        out.rejected.append(IngestResult(origin, "rejected", f"no text column (looked for {', '.join(_FIELD_SYNONYMS['text'])}; found: {have})"))
        return
    try:
        for i, row in enumerate(reader, start=2):
            if None in row:
                out.rejected.append(IngestResult(f"{origin}#row{i}", "rejected", "row has more fields than the header (broken quoting?)"))
                continue
            doc = _record_document(f"{origin}#row{i}", row, fields)
            (out.rejected if isinstance(doc, IngestResult) else out.documents).append(doc)
    except csv.Error as exc:
        out.rejected.append(IngestResult(f"{origin}#row{reader.line_num}", "rejected", f"malformed CSV: {exc}"))


def _read_json(origin: str, text: str, out: ReadOutcome) -> None:
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            records = json.loads(stripped)
        except json.JSONDecodeError as exc:
            out.rejected.append(IngestResult(origin, "rejected", f"malformed JSON: {exc.msg} at line {exc.lineno}"))
            return
        numbered = [(i, r) for i, r in enumerate(records, start=1)]
    else:
        numbered = []
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                numbered.append((i, json.loads(line)))
            except json.JSONDecodeError as exc:
                out.rejected.append(IngestResult(f"{origin}#line{i}", "rejected", f"malformed JSON line: {exc.msg}"))
    for i, record in numbered:
        if not isinstance(record, dict):
            out.rejected.append(IngestResult(f"{origin}#line{i}", "rejected", "JSON value is not an object"))
            continue
        fields = _pick_fields(record.keys())
        if "text" not in fields:
            out.rejected.append(IngestResult(f"{origin}#line{i}", "rejected", "no text field"))
            continue
        doc = _record_document(f"{origin}#line{i}", record, fields)
        (out.rejected if isinstance(doc, IngestResult) else out.documents).append(doc)


def _read_html(origin: str, html: str, out: ReadOutcome) -> None:
    import trafilatura

    try:
        result = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True)
    except Exception as exc:  # trafilatura raises many types on broken markup
        out.rejected.append(IngestResult(origin, "rejected", f"HTML could not be parsed: {type(exc).__name__}"))
        return
    if result is None:
        out.rejected.append(IngestResult(origin, "rejected", "no article text found in the HTML page"))
        return
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    body = data.get("text") or ""
    if not body.strip():
        out.rejected.append(IngestResult(origin, "rejected", "no article text found in the HTML page"))
        return
    out.documents.append(RawDocument(
        origin, body, title=data.get("title") or "", date=data.get("date") or "",
        source=data.get("sitename") or data.get("hostname") or "", url=data.get("url") or "", is_html=True,
    ))


def _read_zip(origin: str, data: bytes, out: ReadOutcome) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        out.rejected.append(IngestResult(origin, "rejected", "not a valid zip archive"))
        return
    total = 0
    with archive:
        for info in archive.infolist():
            member = f"{origin}!{info.filename}"
            if info.is_dir():
                continue
            name = info.filename.replace("\\", "/")
            if name.startswith("/") or ".." in name.split("/"):
                out.rejected.append(IngestResult(member, "rejected", "unsafe path in zip (absolute or ../); skipped"))
                continue
            if info.file_size > MAX_ZIP_MEMBER_BYTES or (info.compress_size and info.file_size / max(info.compress_size, 1) > MAX_ZIP_RATIO):
                out.rejected.append(IngestResult(member, "rejected", "zip member too large or too compressed (possible zip bomb); skipped"))
                continue
            total += info.file_size
            if total > MAX_ZIP_TOTAL_BYTES:
                out.rejected.append(IngestResult(member, "rejected", "zip holds more than 500 MB uncompressed; rest skipped"))
                break
            with archive.open(info) as fh:
                content = fh.read(MAX_ZIP_MEMBER_BYTES + 1)
            if len(content) > MAX_ZIP_MEMBER_BYTES:
                out.rejected.append(IngestResult(member, "rejected", "zip member larger than declared; skipped"))
                continue
            _read_bytes(member, Path(name).suffix.lower(), content, out, depth=1)


@functools.lru_cache(maxsize=1)
def _source_signatures() -> tuple[tuple[re.Pattern, str], ...]:
    lines = [l for l in SOURCE_SIGNATURES_FILE.read_text(encoding="utf-8").splitlines() if not l.startswith("#")]
    return tuple((re.compile(r["pattern"], re.IGNORECASE), r["source"]) for r in csv.DictReader(lines))


def detect_source(page: str) -> str:
    """Name the outlet of a plain-text page from known signatures, or ""."""
    for pattern, source in _source_signatures():
        if pattern.search(page):
            return source
    return ""


def to_article(doc: RawDocument) -> dict | IngestResult:
    """Clean one raw document into an article record (columns of ARTICLE_COLUMNS, cluster_id unset)."""
    page = clean.split_page(doc.page, title_hint=doc.title or None)
    if len(page.text.strip()) < MIN_TEXT_CHARS:
        return IngestResult(doc.origin, "rejected", f"less than {MIN_TEXT_CHARS} characters of article text after removing page furniture")
    found = _structured_date(doc.date) if doc.date else None
    if found is None:
        found = dates.article_date(doc.page, [line for label, line in page.removed if label == "dateline"])
    inferred, _precision, reason = ("", "", "")
    if not found.date:
        inferred, _precision, reason = dates.infer_date(page.text)
    digest = dedup.content_hash(page.text)
    return {
        "article_id": digest[:16],
        "title": page.title,
        "date": found.date,
        "date_precision": found.precision,
        "date_evidence": found.evidence,
        "date_inferred": inferred,
        "date_inferred_from": reason,
        "source": doc.source or detect_source(doc.page),
        "url": doc.url,
        "text": page.text,
        "boilerplate": page.boilerplate,
        "content_hash": digest,
        "duplicate_of": "",
        "cluster_id": -1,
        "origin": doc.origin,
    }


def _structured_date(value: str) -> dates.ArticleDate | None:
    """A date given in a record's field: ISO forms directly, other forms through dateparser."""
    value = value.strip()
    m = re.fullmatch(r"((?:19|20)\d\d)(?:-(\d\d)(?:-(\d\d))?)?(?:[T ].*)?", value)
    if m:
        year, month, day = m.groups()
        if day:
            return dates.ArticleDate(f"{year}-{month}-{day}", "day", value)
        if month:
            return dates.ArticleDate(f"{year}-{month}", "month", value)
        return dates.ArticleDate(year, "year", value)
    import dateparser

    parsed = dateparser.parse(value, languages=["en"], settings={"REQUIRE_PARTS": ["year", "month", "day"]})
    if parsed is None:
        return None
    return dates.ArticleDate(parsed.date().isoformat(), "day", value)
