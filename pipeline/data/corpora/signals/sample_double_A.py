"""Seeded 10% sample of annotator B's pool for A's independent double annotation.

Usage: git show i18b:pipeline/data/corpora/signals/pool_B.jsonl | python sample_double_A.py > OUT.jsonl
Takes the 160 ids with the smallest sha256("double-A-2026|" + id): reproducible, independent of order.
"""
import hashlib, json, sys

N = 160
rows = [json.loads(l) for l in sys.stdin if l.strip()]
rows.sort(key=lambda r: hashlib.sha256(("double-A-2026|" + r["id"]).encode()).hexdigest())
for r in sorted(rows[:N], key=lambda r: r["id"]):
    print(json.dumps(r, ensure_ascii=False))
