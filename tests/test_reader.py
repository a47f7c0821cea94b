"""The reader's markup: highlights explain themselves, and article text never runs as HTML."""
from pipeline.read.reader import Span, escape_lines, highlight_html

XSS = "NATO <script>alert('x')</script> met <img src=x onerror=alert(1)> in Brussels & \"Moscow\" reacted."


def test_article_text_is_escaped():
    out = highlight_html(XSS, [])
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in out
    assert "&amp;" in out


def test_highlight_wraps_the_span_and_escapes_its_note():
    text = "Russia expelled eight Polish diplomats."
    out = highlight_html(text, [Span(7, 15, "escalation", 'signal: expulsion "<b>"')])
    assert '<mark class="hl hl-escalation"' in out
    assert ">expelled</mark>" in out
    assert 'title="signal: expulsion &quot;&lt;b&gt;&quot;"' in out
    assert out.count("<mark") == 1


def test_span_inside_hostile_text_is_escaped_too():
    start = XSS.index("<script>")
    out = highlight_html(XSS, [Span(start, start + 8, "actor", "x")])
    assert ">&lt;script&gt;</mark>" in out


def test_overlapping_spans_fold_into_one_mark_with_both_notes():
    text = "up to one billion euros"
    out = highlight_html(text, [Span(0, 23, "figure", "figure: money"), Span(6, 17, "actor", "other")])
    assert out.count("<mark") == 1 and "figure: money | other" in out


def test_spans_outside_the_text_are_ignored():
    assert "<mark" not in highlight_html("short", [Span(3, 99, "actor", "x"), Span(-1, 2, "actor", "y")])


def test_escape_lines_keeps_line_breaks():
    assert escape_lines("a<b\nc") == "a&lt;b<br>\nc"


def test_unasserted_signals_are_dashed_and_carry_their_modality():
    text = "Russia may expel eight diplomats."
    out = highlight_html(text, [Span(11, 16, "escalation", "signal: expulsion (hypothetical)", "hypothetical"),
                                Span(0, 6, "actor", "actor: Russia")])
    assert 'class="hl hl-escalation hl-mod-hypothetical"' in out and "dashed" in out
    asserted = highlight_html(text, [Span(11, 16, "escalation", "x", "asserted")])
    assert "dashed" not in asserted and "hl-mod-asserted" in asserted


def test_anchor_marks_the_linked_sentence_outside_any_mark():
    text = "Russia expelled eight diplomats. NATO met."
    out = highlight_html(text, [Span(7, 15, "escalation", "x")], anchor=10)
    assert '</mark><span id="reader-focus"' in out          # moved past the mark it fell into
    out = highlight_html(text, [], anchor=33)
    assert out.count('id="reader-focus"') == 1 and 'diplomats. <span id="reader-focus"' in out and '></span>NATO' in out


def test_spans_for_article_use_every_table(seed_tables):
    aid = seed_tables["signals"]["article_id"].iloc[0]
    from pipeline.read.reader import spans_for_article

    spans = spans_for_article(aid, seed_tables)
    kinds = {s.kind for s in spans}
    assert "actor" in kinds and kinds & {"escalation", "deescalation"}
    assert all(s.modality for s in spans if s.kind in ("escalation", "deescalation"))


def test_figure_hover_text_says_the_amount_in_words_and_never_a_number_the_text_did_not_give(seed_tables):
    from pipeline.read.reader import spans_for_article

    figures = seed_tables["figures"]
    notes = {}
    for article_id in set(figures["article_id"]):
        notes.update({s.note: article_id for s in spans_for_article(article_id, seed_tables) if s.kind == "figure"})
    vague = [n for n in notes if "thousands of" in n]
    assert vague == ["figure: Count: thousands of additional armored vehicles, NATO (vague: never summed)"]
    assert "figure: Money: EUR 1.00 bn, NATO" in notes                 # seed 000's innovation fund
    assert not [n for n in notes if "nan" in n or "e+" in n or "pct_" in n]
