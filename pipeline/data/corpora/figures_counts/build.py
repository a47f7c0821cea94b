"""Build counts.jsonl from the pools and annotations.txt (run after editing the annotation).

    .venv/bin/python pipeline/data/corpora/figures_counts/build.py

Every id named on a `# read:` line becomes one sentence of the set, with the counts annotated for it (none:
a negative). The split is by document: md5(doc) mod 10 < 3 is `test` (about 30%), else `dev`.
"""
import hashlib
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent


def split_of(doc: str) -> str:
    return "test" if int(hashlib.md5(doc.encode()).hexdigest(), 16) % 10 < 3 else "dev"


def read_ids(spec: str) -> list[str]:
    ids = []
    for part in spec.split():
        m = re.fullmatch(r"([cd])(\d{4})-[cd](\d{4})", part)
        if m:
            ids += [f"{m.group(1)}{i:04d}" for i in range(int(m.group(2)), int(m.group(3)) + 1)]
        else:
            ids.append(part)
    return ids


def value_of(text: str) -> dict:
    if text.startswith("~"):
        return {"value": None, "value_low": float(text[1:]), "value_high": None, "vague": True}
    if "-" in text:
        low, high = text.split("-")
        return {"value": float(low), "value_low": float(low), "value_high": float(high), "vague": False}
    return {"value": float(text), "value_low": float(text), "value_high": None, "vague": False}


def main():
    pool = {}
    for name in ("pool.jsonl", "pool_d.jsonl"):
        for line in (HERE / name).open(encoding="utf-8"):
            row = json.loads(line)
            pool[row["id"]] = row
    read, dropped, counts = [], set(), {}
    for line in (HERE / "annotations.txt").open(encoding="utf-8"):
        line = line.strip()
        if line.startswith("# read:"):
            read += read_ids(line[len("# read:"):])
        elif line.startswith("# drop:"):
            dropped.add(line.split()[2])
        elif line and not line.startswith("#"):
            sid, number, value, unit, cls = line.split("|")
            sentence = pool[sid]["sentence"]
            if number not in sentence:
                raise SystemExit(f"{sid}: {number!r} is not in the sentence")
            counts.setdefault(sid, []).append({"text": number, **value_of(value), "unit": unit, "class": cls})
    missing = set(counts) - set(read)
    if missing:
        raise SystemExit(f"annotated but not on a read line: {sorted(missing)}")
    out = []
    for sid in dict.fromkeys(read):
        if sid in dropped:
            continue
        row = pool[sid]
        out.append({"id": sid, "doc": row["doc"], "date": row["date"], "split": split_of(row["doc"]),
                    "sentence": row["sentence"], "counts": counts.get(sid, [])})
    with (HERE / "counts.jsonl").open("w", encoding="utf-8") as fh:
        for row in out:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    for split in ("dev", "test"):
        rows = [r for r in out if r["split"] == split]
        print(f"{split}: {len(rows)} sentences, {len({r['doc'] for r in rows})} articles, "
              f"{sum(len(r['counts']) for r in rows)} counts, {sum(not r['counts'] for r in rows)} without a count")


if __name__ == "__main__":
    main()
