"""Draw annotator B's double-annotation sample from annotator A's pool (seeded, reproducible).

Usage: python sample_double_B.py [POOL_A.jsonl] [OUT.jsonl]
Without POOL_A the pool is read from branch i18a with `git show i18a:pipeline/data/corpora/signals/pool_A.jsonl`
(A's pool only: A's annotations and work files are never read). The sample is the 10% of ids (rounded) with the
smallest sha256("double-B-2026|" + id); lines are written in A's pool order.
"""
import hashlib
import json
import math
import subprocess
import sys
from pathlib import Path

SALT = "double-B-2026|"
SHARE = 0.10


def sample(lines):
    """The SHARE of pool records with the smallest salted hash of their id, in pool order."""
    recs = [json.loads(x) for x in lines if x.strip()]
    n = math.floor(len(recs) * SHARE + 0.5)
    chosen = set(sorted((r["id"] for r in recs), key=lambda i: hashlib.sha256((SALT + i).encode()).hexdigest())[:n])
    return [r for r in recs if r["id"] in chosen]


def main():
    here = Path(__file__).parent
    if len(sys.argv) > 1:
        text = Path(sys.argv[1]).read_text(encoding="utf-8")
    else:
        text = subprocess.run(["git", "show", "i18a:pipeline/data/corpora/signals/pool_A.jsonl"],
                              capture_output=True, text=True, check=True, cwd=here).stdout
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else here / "double_A_sample_B.jsonl"
    recs = sample(text.splitlines())
    with open(out, "w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(recs)} sentences of A's pool -> {out}")


if __name__ == "__main__":
    main()
