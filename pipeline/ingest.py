"""Ingest: files, folders, zips (and, through ``pipeline.fetch``, URLs and feeds) in; article records out;
an answer for every input.

Formats (by extension):

- ``.txt``, ``.md``: one article per file; the page's own lines give headline,
  date and boilerplate (``pipeline.stages.clean``, ``pipeline.stages.dates``).
- ``.csv``, ``.tsv``: one article per row; columns ``title``, ``text``,
  ``date``, ``source``, ``url``, ``author`` matched by name (case-insensitive;
  ``body``, ``content``, ``headline``, ``published``, ``link`` … accepted as
  synonyms). ``text`` is required; a file without it is rejected with the list
  of columns looked for and found.
- ``.jsonl``, ``.json``: one object per line (or a JSON list), same fields.
- ``.html``, ``.htm``: main text, title, date (htmldate), author and site by
  trafilatura. Scripts, styles and event handlers are dropped by the
  extraction; what is kept is plain text and is never rendered as HTML.
- ``.zip``: every member of the above types, read from the archive in memory
  (never extracted to disk, so ``../`` paths cannot write anywhere; they are
  rejected all the same), with limits on member size, total size and
  compression ratio (zip bombs), and no zip inside a zip.

Every input gets an :class:`IngestResult`: ``added``, ``duplicate`` (of
which article), ``near_duplicate`` (added, linked to its original) or
``rejected`` with a reason a person understands. A bad row, line or file
never stops the others.

Large files: ``.csv``, ``.tsv`` and ``.jsonl`` files are always read as a
stream, row by row, in any size (only one row is in memory at a time; a row
over ``MAX_RECORD_CHARS`` is rejected). Other formats hold one document per
file (or a JSON list) and must be read whole: over ``MAX_FILE_BYTES`` they
are rejected by their size, without being read.

Encodings: UTF-8 (with or without BOM), UTF-16/32 with BOM, and otherwise the
charset charset-normalizer detects (cp1252, latin-1 …). A file mixing UTF-8
with cp1252 bytes is decoded line by line. Binary data with a text extension
is rejected as binary.

Article records (:data:`ARTICLE_COLUMNS`, the ``articles`` table):

``article_id``          16 hex chars of the SHA-256 of the normalised main text (same text → same id).
``title``               headline.
``date``                ISO date read from the page (YYYY-MM-DD | YYYY-MM | YYYY) or "" (see ``pipeline.stages.dates``).
``date_precision``      day | month | year | unknown.
``date_evidence``       the text the date was read from.
``date_inferred``       year inferred from dated events when ``date`` is empty, else "".
``date_inferred_from``  why (the event and the words that name it).
``source``              outlet, from the input's field or a known page signature, "" if unknown.
``url``                 the article's URL as given, "" if unknown.
``text``                main text after boilerplate removal; all offsets refer to it.
``boilerplate``         the removed page furniture, one line per removed line.
``content_hash``        full SHA-256 of the normalised main text.
``duplicate_of``        article_id of the original when this is a near-duplicate copy, else "".
``cluster_id``          topic cluster (``pipeline.stages.topics``), −1 for unclustered.
``origin``              where it came from: file path, plus ``#row`` / ``#line`` or ``!member``; or the URL.
``author``              author(s) as given by the input or the HTML page, "" if unknown.
``url_key``             the normalised URL (``pipeline.stages.dedup.normalise_url``) that decides "same URL", "" if none.
"""
from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

from pipeline import schema
from pipeline.stages import clean, dates, dedup

# declared in pipeline/schema.py; ``annotated`` is the run's own bookkeeping, set when the article is stored
ARTICLE_COLUMNS = [c for c in schema.columns("articles") if c != "annotated"]
SUPPORTED_SUFFIXES = {".txt", ".md", ".csv", ".tsv", ".jsonl", ".json", ".html", ".htm", ".zip"}
STREAMED_SUFFIXES = {".csv", ".tsv", ".jsonl"}
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_RECORD_CHARS = 5_000_000
MAX_ZIP_MEMBER_BYTES = 50 * 1024 * 1024
MAX_ZIP_TOTAL_BYTES = 500 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ARTICLE_CHARS = 2_000_000
MIN_TEXT_CHARS = 20
SNIFF_BYTES = 256 * 1024
# Bumped when cleaning changes, so inputs seen by an older ingest are read again.
INGEST_VERSION = "2"
SOURCE_SIGNATURES_FILE = Path(__file__).parent / "data" / "source_signatures.csv"

_FIELD_SYNONYMS = {
    "title": ("title", "headline", "heading", "name"),
    "text": ("text", "body", "content", "article", "full_text", "maintext", "story"),
    "date": ("date", "published", "publish_date", "published_at", "pubdate", "datetime", "time", "timestamp"),
    "source": ("source", "outlet", "publisher", "site", "domain", "source_name"),
    "url": ("url", "link", "href", "source_url"),
    "author": ("author", "authors", "byline", "writer"),
}


@dataclass(slots=True)
class RawDocument:
    """One article as read from an input, before cleaning."""

    origin: str
    page: str
    title: str = ""
    date: str = ""
    source: str = ""
    url: str = ""
    is_html: bool = False
    author: str = ""

    def input_key(self) -> str:
        """SHA-256 of everything this input gives (and the ingest version): the same input read again has the same key."""
        h = hashlib.sha256(INGEST_VERSION.encode())
        for part in (self.page, self.title, self.date, self.source, self.url, self.author):
            h.update(b"\x1f")
            h.update(part.encode("utf-8", errors="surrogatepass"))
        return h.hexdigest()


@dataclass(slots=True)
class IngestResult:
    """The answer for one input (file, row, line, zip member or URL)."""

    origin: str
    status: str  # added | duplicate | near_duplicate | rejected
    reason: str = ""
    article_id: str = ""


@dataclass
class ReadOutcome:
    """What reading some inputs gave: documents to process and inputs already rejected."""

    documents: list[RawDocument] = field(default_factory=list)
    rejected: list[IngestResult] = field(default_factory=list)


def _reject(origin: str, reason: str) -> IngestResult:
    return IngestResult(origin, "rejected", reason)


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand files and folders (recursively, sorted, hidden files skipped) into the files to read."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            yield from sorted(f for f in path.rglob("*") if f.is_file() and not any(part.startswith(".") for part in f.relative_to(path).parts))
        else:
            yield path


def iter_documents(paths: Iterable[str | Path]) -> Iterator[RawDocument | IngestResult]:
    """Read files and folders as a stream: each item is a document to clean or an input's rejection."""
    for path in iter_input_files(paths):
        yield from iter_file(path)


def iter_file(path: Path) -> Iterator[RawDocument | IngestResult]:
    """Read one file: documents, or rejections with a reason (never raises for bad content)."""
    origin = str(path)
    if not path.exists():
        yield _reject(origin, "no such file or folder")
        return
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield _reject(origin, f"cannot read: {exc.strerror or exc}")
        return
    if suffix not in SUPPORTED_SUFFIXES:
        yield _reject(origin, _unsupported(suffix))
        return
    try:
        if suffix in STREAMED_SUFFIXES:
            with open(path, "rb") as fh:
                yield from _iter_stream(origin, suffix, fh)
            return
        if size > MAX_FILE_BYTES:
            yield _reject(origin, f"file is {size / 1e6:.0f} MB, over the {MAX_FILE_BYTES // 1_000_000} MB limit for {suffix} files "
                                  f"(only .csv, .tsv and .jsonl files are streamed in any size); not read")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield _reject(origin, f"cannot read: {exc.strerror or exc}")
        return
    yield from _iter_bytes(origin, suffix, data)


def read_paths(paths: Iterable[str | Path]) -> ReadOutcome:
    """Read files and folders into memory; unreadable inputs come back as ``rejected`` results."""
    return _collect(iter_documents(paths))


def read_bytes(name: str, data: bytes) -> ReadOutcome:
    """Read one in-memory file (an upload), dispatching on its name's extension."""
    suffix = Path(name).suffix.lower()
    if len(data) > MAX_FILE_BYTES and suffix not in STREAMED_SUFFIXES:
        return _collect([_reject(name, f"file is {len(data) / 1e6:.0f} MB, over the {MAX_FILE_BYTES // 1_000_000} MB limit")])
    return _collect(_iter_bytes(name, suffix, data))


def _collect(items: Iterable[RawDocument | IngestResult]) -> ReadOutcome:
    out = ReadOutcome()
    for item in items:
        (out.rejected if isinstance(item, IngestResult) else out.documents).append(item)
    return out


def _unsupported(suffix: str) -> str:
    return f"unsupported file type {suffix or '(none)'}; expected one of {', '.join(sorted(SUPPORTED_SUFFIXES))}"


def _iter_bytes(origin: str, suffix: str, data: bytes, depth: int = 0) -> Iterator[RawDocument | IngestResult]:
    if suffix not in SUPPORTED_SUFFIXES:
        yield _reject(origin, _unsupported(suffix))
        return
    if suffix == ".zip":
        if depth:
            yield _reject(origin, "zip inside a zip is not read")
            return
        yield from _iter_zip(origin, data)
        return
    if not data.strip():
        yield _reject(origin, "empty file")
        return
    try:
        text = decode_text(data)
    except ValueError as exc:
        yield _reject(origin, str(exc))
        return
    if suffix in (".txt", ".md"):
        yield RawDocument(origin, text)
    elif suffix in (".csv", ".tsv"):
        yield from _iter_table(origin, io.StringIO(text, newline=""), "\t" if suffix == ".tsv" else ",")
    elif suffix == ".jsonl" or (suffix == ".json" and not text.lstrip().startswith(("[", "{"))):
        yield from _iter_json_lines(origin, io.StringIO(text))
    elif suffix == ".json":
        yield from _iter_json_list(origin, text)
    elif suffix in (".html", ".htm"):
        yield html_document(origin, text)


# ----------------------------------------------------------------------------------------------- decoding


def decode_text(data: bytes) -> str:
    """Decode bytes to text: UTF-8 (with or without BOM), UTF-16/32 with BOM, UTF-8 mixed with cp1252
    line by line, else the best charset detected by charset-normalizer.

    Raises ``ValueError`` (with a reason for people) for binary data.
    """
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
                          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_mixed(data) or _decode_detected(data)
    if _looks_binary(text):
        raise ValueError("binary content, not text (a file with a text extension holding other data?)")
    return text


def _decode_mixed(data: bytes) -> str | None:
    """UTF-8 with some cp1252 lines (files concatenated from several sources): decode line by line.

    Used when most non-ASCII lines are valid UTF-8; returns None otherwise.
    """
    lines = data.split(b"\n")
    utf8_ok = bad = 0
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_ok += 1
        except UnicodeDecodeError:
            bad += 1
    if utf8_ok == 0 or bad > utf8_ok:
        return None
    out = []
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
    return "\n".join(out)


def _decode_detected(data: bytes) -> str:
    from charset_normalizer import from_bytes

    if b"\x00" in data[:SNIFF_BYTES]:
        raise ValueError("binary content, not text (NUL bytes and no UTF-16 byte-order mark)")
    best = from_bytes(data[:2_000_000]).best()
    if best is None:
        raise ValueError("binary or undecodable content, not text")
    return data.decode(_prefer_cp1252(data, best.encoding), errors="replace")


@functools.lru_cache(maxsize=64)
def _is_single_byte(encoding: str) -> bool:
    try:
        return len(bytes(range(256)).decode(encoding, errors="replace")) == 256
    except LookupError:
        return False


def _prefer_cp1252(data: bytes, detected: str) -> str:
    """Between single-byte code pages the detector cannot tell apart on short texts (cp1250 vs cp1252 for
    "€153"), take cp1252, the Windows default for the English-language news this product reads, when the
    bytes are valid cp1252."""
    if detected.lower().replace("-", "_") in ("cp1252", "windows_1252") or not _is_single_byte(detected):
        return detected
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return detected
    return "cp1252"


def _looks_binary(text: str) -> bool:
    sample = text[:10_000]
    if not sample:
        return False
    if "\x00" in sample:
        return True
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    return bad / len(sample) > 0.05


def _sniff_encoding(head: bytes) -> str:
    """Encoding for a streamed file, from its first bytes."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
                          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            return encoding
    if b"\x00" in head:
        raise ValueError("binary content, not text (NUL bytes and no UTF-16 byte-order mark)")
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut at the end of the sample
            return "utf-8"
    if _decode_mixed(head) is not None:
        return "utf-8"  # mostly UTF-8: stray bytes become U+FFFD
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is None:
        raise ValueError("binary or undecodable content, not text")
    return _prefer_cp1252(head, best.encoding)


def _iter_stream(origin: str, suffix: str, raw: IO[bytes]) -> Iterator[RawDocument | IngestResult]:
    """Stream a CSV/TSV/JSONL file row by row from a binary file object."""
    head = raw.read(SNIFF_BYTES)
    if not head.strip():
        yield _reject(origin, "empty file")
        return
    try:
        encoding = _sniff_encoding(head)
    except ValueError as exc:
        yield _reject(origin, str(exc))
        return
    if _looks_binary(head.decode(encoding, errors="replace")):
        yield _reject(origin, "binary content, not text (a file with a text extension holding other data?)")
        return
    raw.seek(0)
    text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
    if suffix == ".jsonl":
        yield from _iter_json_lines(origin, text)
    else:
        yield from _iter_table(origin, text, "\t" if suffix == ".tsv" else ",")


# ----------------------------------------------------------------------------------------------- records


def _pick_fields(keys: Iterable[str]) -> dict[str, str]:
    lowered = {k.strip().lower().lstrip("\ufeff"): k for k in keys if isinstance(k, str)}
    picked = {}
    for name, synonyms in _FIELD_SYNONYMS.items():
        for s in synonyms:
            if s in lowered:
                picked[name] = lowered[s]
                break
    return picked


def _missing_text_message(found: Iterable[str], what: str) -> str:
    have = ", ".join(repr(f) for f in found) or "none"
    return (f"missing {what} 'text' (or one of: {', '.join(_FIELD_SYNONYMS['text'][1:])}); found {what}s: {have}. "
            f"Optional {what}s used when present: title, date, source, url, author")


def _record_document(origin: str, record: dict, fields: dict[str, str]) -> RawDocument | IngestResult:
    text = record.get(fields.get("text", ""), "")
    text = "" if text is None else str(text)
    if not text.strip():
        return _reject(origin, "no text in this record")
    if len(text) > MAX_RECORD_CHARS:
        return _reject(origin, f"record text is {len(text):,} characters, over the {MAX_RECORD_CHARS:,} limit")

    def get(name: str) -> str:
        value = record.get(fields.get(name, ""), "")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        return "" if value is None else str(value).strip()[:2000]

    return RawDocument(origin, text, title=get("title"), date=get("date"), source=get("source"), url=get("url"), author=get("author"))


class _LineTooLong(Exception):
    def __init__(self, number: int):
        super().__init__(number)
        self.number = number


def _bounded_lines(stream: IO[str], limit: int) -> Iterator[str]:
    """The stream's lines, never holding more than ``limit`` characters of one line in memory."""
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith("\n"):
            raise _LineTooLong(number)
        yield line


def _skip_rest_of_line(stream: IO[str]) -> None:
    while True:
        chunk = stream.readline(1 << 20)
        if not chunk or chunk.endswith("\n"):
            return


def _iter_table(origin: str, stream: IO[str], delimiter: str) -> Iterator[RawDocument | IngestResult]:
    csv.field_size_limit(MAX_RECORD_CHARS + 1)
    reader = csv.reader(_bounded_lines(stream, MAX_RECORD_CHARS), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield _reject(origin, "empty file")
        return
    except csv.Error as exc:
        yield _reject(origin, f"malformed CSV header: {exc}")
        return
    except _LineTooLong:
        yield _reject(origin, f"first line is longer than {MAX_RECORD_CHARS:,} characters: not a CSV header; file not read")
        return
    fields = _pick_fields(header)
    if "text" not in fields:
        yield _reject(origin, _missing_text_message(header, "column"))
        return
    position = {name: header.index(col) for name, col in fields.items()}
    answered = 0
    while True:
        first_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            last = reader.line_num
            where = f"{origin}#line{first_line}" + (f"-{last}" if last > first_line else "")
            yield _reject(where, f"malformed CSV ({exc}): broken quoting; this record was skipped"
                                 + (f" (lines {first_line}-{last} were read as one record)" if last > first_line else ""))
            answered += 1
            continue
        except _LineTooLong as exc:
            yield _reject(f"{origin}#line{exc.number}", f"line is longer than {MAX_RECORD_CHARS:,} characters; it and the rest of the file were not read")
            return
        origin_row = f"{origin}#line{first_line}"
        if not any(cell.strip() for cell in row):
            continue
        answered += 1
        if len(row) > len(header):
            yield _reject(origin_row, f"row has {len(row)} fields, the header {len(header)} (broken quoting or an unquoted delimiter?)")
            continue
        if position["text"] >= len(row):
            yield _reject(origin_row, f"row has {len(row)} fields, the header {len(header)}; its text column is missing")
            continue
        record = {fields[name]: (row[i] if i < len(row) else "") for name, i in position.items()}
        yield _record_document(origin_row, record, fields)
    if not answered:
        yield _reject(origin, "no data rows under the header")


def _iter_json_lines(origin: str, stream: IO[str]) -> Iterator[RawDocument | IngestResult]:
    answered = 0
    number = 0
    while True:
        line = stream.readline(MAX_RECORD_CHARS + 1)
        if not line:
            break
        number += 1
        if not line.strip():
            continue
        answered += 1
        where = f"{origin}#line{number}"
        if len(line) > MAX_RECORD_CHARS and not line.endswith("\n"):
            _skip_rest_of_line(stream)
            yield _reject(where, f"line is longer than {MAX_RECORD_CHARS:,} characters; skipped without reading it whole")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _reject(where, f"malformed JSON line: {exc.msg} at column {exc.colno}")
            continue
        yield _json_record(where, record)
    if not answered:
        yield _reject(origin, "no JSON lines in the file")


def _iter_json_list(origin: str, text: str) -> Iterator[RawDocument | IngestResult]:
    try:
        records = json.loads(text)
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith("{") and "\n" in text.strip():  # JSON lines saved as .json
            yield from _iter_json_lines(origin, io.StringIO(text))
            return
        yield _reject(origin, f"malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        return
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list) or not records:
        yield _reject(origin, "JSON file holds no list of article objects")
        return
    for i, record in enumerate(records, start=1):
        yield _json_record(f"{origin}#item{i}", record)


def _json_record(where: str, record) -> RawDocument | IngestResult:
    if not isinstance(record, dict):
        return _reject(where, f"JSON value is a {type(record).__name__}, not an object with a text field")
    fields = _pick_fields(record.keys())
    if "text" not in fields:
        return _reject(where, _missing_text_message(record.keys(), "field"))
    return _record_document(where, record, fields)


# ----------------------------------------------------------------------------------------------- HTML and zip


def html_document(origin: str, html: str, url: str = "") -> RawDocument | IngestResult:
    """Main text and metadata of one HTML page (trafilatura; dates through htmldate), or a rejection."""
    import trafilatura

    try:
        result = trafilatura.bare_extraction(html, url=url or None, with_metadata=True, include_comments=False,
                                             include_tables=False, favor_precision=True)
    except Exception as exc:  # trafilatura raises many types on broken markup
        return _reject(origin, f"HTML could not be parsed: {type(exc).__name__}")
    if result is None:
        return _reject(origin, "no article text found in the HTML page")
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    body = data.get("text") or ""
    if not body.strip():
        return _reject(origin, "no article text found in the HTML page")
    return RawDocument(
        origin, body, title=(data.get("title") or "").strip(), date=data.get("date") or "",
        source=data.get("sitename") or data.get("hostname") or "", url=url or data.get("url") or "", is_html=True,
        author=data.get("author") or "",
    )


def _iter_zip(origin: str, data: bytes) -> Iterator[RawDocument | IngestResult]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        yield _reject(origin, "not a valid zip archive")
        return
    total = 0
    with archive:
        members = archive.infolist()
        if not members:
            yield _reject(origin, "empty zip archive")
            return
        for info in members:
            member = f"{origin}!{info.filename}"
            if info.is_dir():
                continue
            name = info.filename.replace("\\", "/")
            if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in name.split("/"):
                yield _reject(member, "unsafe path in zip (absolute or ../); skipped, nothing is ever extracted to disk")
                continue
            if info.file_size > MAX_ZIP_MEMBER_BYTES:
                yield _reject(member, f"zip member is {info.file_size / 1e6:.0f} MB uncompressed, over the {MAX_ZIP_MEMBER_BYTES // 1_000_000} MB limit; skipped")
                continue
            if info.file_size > 1_000_000 and info.file_size / max(info.compress_size, 1) > MAX_ZIP_RATIO:
                yield _reject(member, f"zip member compressed {info.file_size / max(info.compress_size, 1):.0f}:1, over the {MAX_ZIP_RATIO}:1 limit (possible zip bomb); skipped")
                continue
            total += info.file_size
            if total > MAX_ZIP_TOTAL_BYTES:
                yield _reject(member, f"zip holds more than {MAX_ZIP_TOTAL_BYTES // 1_000_000} MB uncompressed (possible zip bomb); this and later members skipped")
                return
            try:
                with archive.open(info) as fh:
                    content = fh.read(MAX_ZIP_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError) as exc:
                yield _reject(member, f"zip member cannot be read: {exc}")
                continue
            if len(content) > info.file_size:
                yield _reject(member, "zip member larger than its header declares (possible zip bomb); skipped")
                continue
            yield from _iter_bytes(member, Path(name).suffix.lower(), content, depth=1)


@functools.lru_cache(maxsize=1)
def _source_signatures() -> tuple[tuple[re.Pattern, str], ...]:
    lines = [l for l in SOURCE_SIGNATURES_FILE.read_text(encoding="utf-8").splitlines() if not l.startswith("#")]
    return tuple((re.compile(r["pattern"], re.IGNORECASE), r["source"]) for r in csv.DictReader(lines))


@functools.lru_cache(maxsize=1)
def _any_source_signature() -> re.Pattern:
    """All signatures in one pattern, lower-cased when that keeps their meaning (no upper-case escapes such
    as \\S or \\W): searching the lower-cased page without IGNORECASE is several times faster."""
    patterns = [p.pattern for p, _ in _source_signatures()]
    if patterns and not any(re.search(r"\\[A-Z]", p) for p in patterns):
        return re.compile("|".join(f"(?:{p.lower()})" for p in patterns))
    return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)", re.IGNORECASE)


def detect_source(page: str) -> str:
    """Name the outlet of a plain-text page from known signatures (the first listed that matches), or ""."""
    prefilter = _any_source_signature()
    if not prefilter.search(page.lower() if not prefilter.flags & re.IGNORECASE else page):
        return ""
    for pattern, source in _source_signatures():
        if pattern.search(page):
            return source
    return ""


def to_article(doc: RawDocument) -> dict | IngestResult:
    """Clean one raw document into an article record (columns of ARTICLE_COLUMNS, cluster_id unset)."""
    if len(doc.page) > MAX_ARTICLE_CHARS:
        return IngestResult(doc.origin, "rejected", f"text is {len(doc.page):,} characters, over the {MAX_ARTICLE_CHARS:,} limit for one article")
    page = clean.split_page(doc.page, title_hint=doc.title or None)
    if len(page.text.strip()) < MIN_TEXT_CHARS:
        return IngestResult(doc.origin, "rejected", f"less than {MIN_TEXT_CHARS} characters of article text after removing page furniture")
    found = _structured_date(doc.date) if doc.date else None
    if found is None:
        found = _article_date(doc.page, [line for label, line in page.removed if label == "dateline"])
    inferred, _precision, reason = ("", "", "")
    if not found.date:
        inferred, _precision, reason = _infer_date(page.text)
    digest = dedup.content_hash(page.text)
    return {
        "article_id": digest[:16],
        "title": page.title,
        "date": found.date,
        "date_precision": found.precision,
        "date_evidence": found.evidence,
        "date_inferred": inferred,
        "date_inferred_from": reason,
        "source": doc.source or detect_source(doc.page) or page.site,
        "url": doc.url,
        "text": page.text,
        "boilerplate": page.boilerplate,
        "content_hash": digest,
        "duplicate_of": "",
        "cluster_id": -1,
        "origin": doc.origin,
        "author": doc.author,
        "url_key": dedup.normalise_url(doc.url),
    }


_ANY_YEAR = re.compile(r"(?:19|20)\d\d")


def _article_date(page: str, dateline_lines: list[str]) -> dates.ArticleDate:
    """``dates.article_date`` with a shortcut giving the same answer: with no dateline and no 19xx/20xx year
    anywhere on the page, no full date can be found (every day-precision pattern needs a year)."""
    if not dateline_lines and not _ANY_YEAR.search(page):
        return dates.ArticleDate("", "unknown", "")
    return dates.article_date(page, dateline_lines)


@functools.lru_cache(maxsize=1)
def _anchor_required_words() -> tuple[str, ...]:
    """Words (lower case) that every alternative of every anchor-event pattern contains literally."""
    branches = []
    for _event, pattern, _start, _end in dates._anchor_events():
        branches += [b.lower() for b in re.split(r"\|(?![^(]*\))", pattern.pattern)]
    if not branches:
        return ()
    words = set(re.findall(r"[a-z]{4,}", branches[0]))
    return tuple(sorted(w for w in words if all(re.search(rf"(?<![\\\[]){w}", b) for b in branches)))


def _infer_date(text: str) -> tuple[str, str, str]:
    """``dates.infer_date`` with a shortcut giving the same answer: when the text lacks a word every
    anchor-event pattern requires ("summit"), no event can be named."""
    required = _anchor_required_words()
    if required:
        lowered = text.lower()
        if any(w not in lowered for w in required):
            return "", "unknown", ""
    return dates.infer_date(text)


def clean_document(doc: RawDocument) -> tuple[dict, bytes] | IngestResult:
    """Clean one document and sign it: (article record, MinHash signature bytes), or its rejection.

    Pure and picklable: the unit of work of the parallel ingest (``pipeline.run``).
    """
    try:
        record = to_article(doc)
    except Exception as exc:  # one document must never stop a run
        return IngestResult(doc.origin, "rejected", f"could not be cleaned: {type(exc).__name__}: {exc}")
    if isinstance(record, IngestResult):
        return record
    return record, dedup.signature_to_bytes(dedup.signature(record["text"]))


def clean_documents(docs: list[RawDocument]) -> list[tuple[dict, bytes] | IngestResult]:
    """:func:`clean_document` over a chunk (what one worker process receives)."""
    return [clean_document(d) for d in docs]


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
