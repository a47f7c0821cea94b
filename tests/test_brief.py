"""The one-page brief of a view: sections, figures from the seeds, links, and untrusted text escaped."""
import datetime as dt

import pandas as pd

from pipeline import schema
from pipeline.read import brief, query, tension

WHEN = dt.datetime(2026, 11, 23, 20, 0, tzinfo=dt.timezone.utc)


def test_brief_of_the_seed_view_has_every_section(seed_tables):
    md = brief.one_page_brief(query.apply_filters(seed_tables, query.Filters()), query.Filters(),
                              base_url="http://host:8501", view_url="http://host:8501/?actor=NATO", generated=WHEN)
    assert md.startswith("# NATO–Russia tension brief")
    assert "_5 articles · filters: no filters \\(every article\\) · generated 2026-11-23 20:00 UTC._" in md
    for section in ("## Headline tension", "## Top topic clusters", "## Key figures", "## Strongest signals"):
        assert section in md
    balance = tension.balance(seed_tables["signals"])
    assert f"**Net tension {balance['net']:+.1f}: escalation outweighs de-escalation**" in md
    assert "(<http://host:8501/reader?article=" in md and "&at=" in md
    assert "[Open this view in the dashboard](<http://host:8501/?actor=NATO>)" in md


def test_key_figures_put_the_billion_euro_fund_first(seed_tables):
    md = brief.one_page_brief(seed_tables, None, generated=WHEN)
    figures = md.split("## Key figures")[1].split("##")[0]
    first = figures.strip().splitlines()[0]
    assert "EUR" in first and "1,000,000,000" in first, first


def test_filtered_brief_names_its_filters_and_empty_view_says_what_to_do(seed_tables):
    f = query.Filters(actors=("Dmitry Peskov",))
    md = brief.one_page_brief(query.apply_filters(seed_tables, f), f, generated=WHEN)
    assert "_2 articles · filters: Actor: Dmitry Peskov ·" in md
    none = query.Filters(date_from=dt.date(2030, 1, 1), include_undated=False)
    md = brief.one_page_brief(query.apply_filters(seed_tables, none), none, generated=WHEN)
    assert "No articles match the filters" in md and "## Headline tension" not in md


def test_hostile_article_text_cannot_inject_markup_or_links():
    hostile = "<script>alert(1)</script> [click](http://evil) ![x](http://evil/i.png)"
    def table(name, **columns):   # a table as the store declares it (the columns not given are empty)
        return pd.DataFrame(columns).reindex(columns=schema.columns(name))

    tables = {
        "articles": table("articles", article_id=["a"], title=[hostile], date=["2022-01-01"], date_inferred=[""],
                          cluster_id=[-1], text=[hostile]),
        "clusters": table("clusters"),
        "signals": table("signals", article_id=["a"], category=["threat"], polarity=[1], modality=["asserted"],
                         weight=[1.0], start=[0], end=[5], evidence=[hostile]),
        "figures": table("figures"),
        "actor_mentions": table("actor_mentions"),
    }
    md = brief.one_page_brief(tables, generated=WHEN)
    assert "<script>" not in md and "](http://evil" not in md and "![x]" not in md
    assert "&lt;script&gt;" in md


def test_md_escape_flattens_and_shortens():
    assert brief.md_escape("a\n\n*b*", 50) == "a \\*b\\*"
    assert brief.md_escape("x" * 20, 10) == "x" * 9 + "…"
