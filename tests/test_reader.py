"""The reader's markup: highlights explain themselves, and article text never runs as HTML."""
from pipeline.reader import Span, escape_lines, highlight_html

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
