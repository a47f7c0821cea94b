"""The article reader's markup: article text with highlighted spans, always escaped.

Article text is untrusted. :func:`highlight_html` escapes every character of
it and of every annotation before adding its own ``<mark>`` elements, so a
``<script>`` in an article is shown as text and never runs.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from pipeline.stages.nlp import sentence_at  # noqa: F401 - the one sentence splitter (no spaCy), for the reader page
from pipeline.read.labels import blank, label
from pipeline.read.ledger import amount_text

# Highlight colours by kind (and by polarity for signals): light enough to read through.
COLOURS = {
    "escalation": "#f8c4c4",
    "deescalation": "#c8e6c9",
    "actor": "#cfe2ff",
    "figure": "#ffe8a3",
    "search": "#e1bee7",
}


@dataclass(frozen=True)
class Span:
    """One highlight: ``text[start:end]``, its kind (colour key) and its explanation shown on hover."""

    start: int
    end: int
    kind: str
    note: str
    modality: str = ""  # signals: asserted | negated | hypothetical | future | reported ("" for others)


#: Signals that are not asserted (negated, hypothetical, future, reported) are drawn with a dashed outline.
UNASSERTED_STYLE = "outline:1.5px dashed #555;outline-offset:-1px"


def spans_for_article(article_id: str, tables: dict[str, pd.DataFrame]) -> list[Span]:
    """Highlights of one article from its signals, actor mentions and figures."""
    spans: list[Span] = []
    s = tables["signals"]
    for r in s.loc[s["article_id"] == article_id].to_dict("records"):
        kind = "escalation" if r["polarity"] > 0 else "deescalation"
        who = f"; {r.get('source_actor') or '?'} → {r.get('target_actor') or '?'}" if r.get("source_actor") or r.get("target_actor") else ""
        conf = r.get("confidence")
        conf = f", confidence {conf:.2f}" if isinstance(conf, float) and conf == conf else ""
        direction = "escalation" if kind == "escalation" else "de-escalation"
        spans.append(Span(int(r["start"]), int(r["end"]), kind,
                          f"signal: {label('signal_category', r['category'])} ({direction}, "
                          f"{label('modality', r['modality']).lower()}, weight {float(r['weight']):g}{conf}){who}",
                          str(r.get("modality") or "")))
    m = tables["actor_mentions"]
    for r in m.loc[m["article_id"] == article_id].to_dict("records"):
        role = f", {r['role']}" if r.get("role") else ""
        flag = f" ⚠ {r['anachronism']}" if r.get("anachronism") else ""
        spans.append(Span(int(r["start"]), int(r["end"]), "actor", f"actor: {r['actor']} ({r['actor_type']}{role}){flag}"))
    f = tables["figures"]
    for r in f.loc[f["article_id"] == article_id].to_dict("records"):
        spans.append(Span(int(r["start"]), int(r["end"]), "figure", figure_note(r)))
    return spans


def figure_note(figure: dict) -> str:
    """A figure's hover text: its kind in words, the amount as the ledger writes it ("EUR 1.00 bn", "+400%"),
    its qualifier and owner; a vague quantity ("thousands of armored vehicles") keeps its words and no number."""
    vague = bool(figure.get("vague")) and not blank(figure.get("vague"))
    amount = amount_text({"unit": figure.get("unit"), "kind": figure.get("kind"), "vague": vague,
                          "value": figure.get("value"), "value_high": figure.get("value_high"),
                          "variants": figure.get("text") or ""})
    qualifier = f"{figure['qualifier']} " if not blank(figure.get("qualifier")) else ""
    owner = f", {figure['actor']}" if not blank(figure.get("actor")) else ""
    note = f"figure: {label('figure_kind', figure.get('kind'))}: {qualifier}{amount}{owner}"
    return note + (" (vague: never summed)" if vague else "")


def highlight_html(text: str, spans: list[Span], anchor: int | None = None) -> str:
    """HTML for ``text`` with ``spans`` marked; everything from the text or notes is escaped.

    Overlapping spans: a span starting inside an earlier, longer one is
    folded into it (its note is added to the outer mark's hover text), so
    marks never interleave. ``anchor`` (a character offset) places an empty
    ``<span id="reader-focus">`` at the first place at or after it outside
    any mark, for links that jump to a sentence.
    """
    ordered = sorted((s for s in spans if 0 <= s.start < s.end <= len(text)), key=lambda s: (s.start, -(s.end - s.start)))
    merged: list[tuple[int, int, str, list[str], str]] = []
    for s in ordered:
        if merged and s.start < merged[-1][1]:
            merged[-1][3].append(s.note)
            continue
        merged.append((s.start, s.end, s.kind, [s.note], s.modality))
    if anchor is not None:
        anchor = max(0, min(int(anchor), len(text)))
        for start, end, *_ in merged:
            if start < anchor < end:
                anchor = end
    out: list[str] = []
    pos = 0
    marker = ('<span id="reader-focus" class="reader-focus" title="linked sentence starts here" '
              'style="border-left:4px solid #1f4e79;padding-left:2px;margin-left:1px"></span>')

    def plain(a: int, b: int) -> str:
        if anchor is not None and a <= anchor <= b:
            return html.escape(text[a:anchor]) + marker + html.escape(text[anchor:b])
        return html.escape(text[a:b])

    for start, end, kind, notes, modality in merged:
        piece = plain(pos, start)
        if marker in piece:
            anchor = None
        out.append(piece)
        colour = COLOURS.get(kind, "#eeeeee")
        title = html.escape(" | ".join(notes), quote=True)
        mod = html.escape(modality, quote=True) if modality else ""
        extra = f";{UNASSERTED_STYLE}" if modality and modality != "asserted" else ""
        cls = f"hl hl-{kind}" + (f" hl-mod-{mod}" if mod else "")
        out.append(f'<mark class="{cls}" style="background:{colour};padding:0 2px;border-radius:3px{extra}" title="{title}">{html.escape(text[start:end])}</mark>')
        pos = end
    out.append(plain(pos, len(text)) if anchor is not None else html.escape(text[pos:]))
    body = "".join(out).replace("\n", "<br>\n")
    return f'<div class="article-text" style="line-height:1.6">{body}</div>'


def escape_lines(text: str) -> str:
    """Escape text for HTML, keeping its line breaks."""
    return html.escape(text).replace("\n", "<br>\n")



def sentences(text: str) -> list[tuple[int, int, str]]:
    """The sentences of an article as ``(start, end, text)`` (the pipeline's splitter), for picking one."""
    from pipeline.stages.nlp import iter_sentences

    return [(s, e, t) for s, e, t in iter_sentences(text) if t.strip()]
