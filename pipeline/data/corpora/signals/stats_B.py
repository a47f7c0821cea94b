"""Print the counts of annotator B's corpus files: sentences, split, sources, events per category and modality.

Usage: python stats_B.py [annotations_B.jsonl ...]
"""
import collections
import json
import sys
from pathlib import Path


def stats(path):
    """Counts of one annotation file, as a dict of Counters."""
    recs = [json.loads(x) for x in open(path, encoding="utf-8") if x.strip()]
    events = [e for r in recs for e in r["events"]]
    return {
        "sentences": len(recs),
        "with_events": sum(1 for r in recs if r["events"]),
        "events": len(events),
        "split": collections.Counter(r["split"] for r in recs),
        "source": collections.Counter(r["source"] for r in recs),
        "category": collections.Counter(e["category"] for e in events),
        "modality": collections.Counter(e["modality"] for e in events),
        "historical": sum(1 for e in events if e.get("historical")),
        "test_events": sum(len(r["events"]) for r in recs if r["split"] == "test"),
    }


def main():
    here = Path(__file__).parent
    paths = sys.argv[1:] or [here / "annotations_B.jsonl", here / "double_A_by_B.jsonl"]
    for p in paths:
        s = stats(p)
        print(f"== {Path(p).name}: {s['sentences']} sentences ({s['with_events']} with events, "
              f"{s['sentences'] - s['with_events']} without), {s['events']} events "
              f"({s['historical']} historical); test split {s['split'].get('test', 0)} sentences / "
              f"{s['test_events']} events")
        for key in ("split", "source", "modality", "category"):
            print(f"  {key}: " + ", ".join(f"{k} {v}" for k, v in s[key].most_common()))


if __name__ == "__main__":
    main()
