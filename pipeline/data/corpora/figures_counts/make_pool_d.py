"""Third stratum of the counts pool (classes the random pool under-represents): every sentence of the same
corpora holding a number and an expulsion, sanction/designation, detention/indictment, warhead, scramble,
sortie or interception cue, not already in pool.jsonl, at most 3 per article, shuffled with seed 191.
Output appended as pool_d.jsonl (ids d0000...).

    .venv/bin/python pipeline/data/corpora/figures_counts/make_pool_d.py > pool_d.jsonl
"""
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_pool import HAS_NUM, SPLIT, docs  # noqa: E402

CUE = re.compile(r"(?i)\b(?:expel\w*|expuls\w+|diplomats|persona non grata|sanctioned|designated|blacklisted|"
                 r"detained|arrested|indicted|charged|warheads?|scrambled|scrambles|sorties|intercepted|shot down)\b")


def main():
    here = Path(__file__).resolve().parent
    seen = {json.loads(l)["sentence"] for l in (here / "pool.jsonl").open()}
    out = []
    for doc, date, text in docs():
        kept = []
        for sent in SPLIT.split(text):
            sent = " ".join(sent.split())
            if 40 <= len(sent) <= 400 and sent not in seen and CUE.search(sent) and HAS_NUM.search(sent) \
                    and not sent.startswith(("[", "!", "http", "- [")):
                kept.append(sent)
                seen.add(sent)
        random.Random(doc).shuffle(kept)
        out.extend({"doc": doc, "date": date, "sentence": s} for s in kept[:3])
    random.Random(191).shuffle(out)
    for i, row in enumerate(out):
        print(json.dumps({"id": f"d{i:04d}", **row}, ensure_ascii=False))


if __name__ == "__main__":
    main()
