"""Convert annotator A's compact labels (work_A.txt / work_double_A.txt) into annotations JSONL.

Line format:  ID | trigger ~ category ~ modality ~ source ~ target [~ H] ; trigger2 ~ ...
An ID with nothing after "|" (or "| -") means no event. "trigger#2" = second occurrence in the sentence.
A trailing "~ H" marks historical narration. Fails loudly on an unknown id, a trigger not found,
a category or modality outside the scheme, a source/target the sentence does not name, or a missing/duplicate id.
Usage: python label_A.py POOL.jsonl WORK.txt OUT.jsonl [--partial]
"""
import json, sys

CATEGORIES = {
    "attack_invasion", "cyber_operation", "covert_operation", "military_buildup", "airspace_incident",
    "arms_race", "nuclear_rhetoric", "threat_ultimatum", "deterrence", "demand_pressure", "rejection",
    "accusation", "sanctions", "energy_coercion", "diplomatic_expulsion", "mission_closure", "protest",
    "coercion", "military_aid", "tension_state", "dialogue_talks", "arms_control", "agreement",
    "ceasefire_withdrawal", "sanctions_relief", "restraint", "humanitarian_cooperation"}
MODALITIES = {"asserted", "negated", "hypothetical", "future", "reported"}


def find(text, trig, sid):
    """Offsets of the n-th occurrence (trigger#n) of trig in text; raise if absent."""
    n = 1
    if "#" in trig:
        trig, k = trig.rsplit("#", 1)
        n = int(k)
    pos = -1
    for _ in range(n):
        pos = text.find(trig, pos + 1)
        if pos < 0:
            raise SystemExit(f"{sid}: trigger {trig!r} (occurrence {n}) not found in: {text}")
    return trig, pos, pos + len(trig)


def parse(line, text, sid):
    """Events of one compact label line."""
    body = line.split("|", 1)[1].strip()
    if body in ("", "-"):
        return []
    events = []
    for part in body.split(";"):
        f = [x.strip() for x in part.split("~")]
        if len(f) not in (5, 6):
            raise SystemExit(f"{sid}: need 5 fields (+ optional H), got {len(f)}: {part!r}")
        trig, cat, mod, src, tgt = f[:5]
        if cat not in CATEGORIES:
            raise SystemExit(f"{sid}: unknown category {cat!r}")
        if mod not in MODALITIES:
            raise SystemExit(f"{sid}: unknown modality {mod!r}")
        for who in (src, tgt):
            if who and who not in text:
                raise SystemExit(f"{sid}: actor {who!r} is not named in the sentence (use the text's name or '')")
        trig, s, e = find(text, trig, sid)
        assert text[s:e] == trig
        ev = {"trigger": trig, "start": s, "end": e, "category": cat, "modality": mod,
              "source": src, "target": tgt}
        if len(f) == 6:
            if f[5] != "H":
                raise SystemExit(f"{sid}: 6th field must be H, got {f[5]!r}")
            ev["historical"] = True
        events.append(ev)
    return events


def main(argv):
    pool_path, work_path, out_path = argv[:3]
    partial = "--partial" in argv
    pool = [json.loads(l) for l in open(pool_path, encoding="utf-8")]
    by_id = {r["id"]: r for r in pool}
    labels = {}
    for ln in open(work_path, encoding="utf-8"):
        ln = ln.rstrip("\n")
        if not ln.strip() or ln.startswith("//"):
            continue
        sid = ln.split("|", 1)[0].strip()
        if sid not in by_id:
            raise SystemExit(f"unknown id {sid!r}")
        if sid in labels:
            raise SystemExit(f"duplicate id {sid!r}")
        labels[sid] = parse(ln, by_id[sid]["text"], sid)
    missing = [r["id"] for r in pool if r["id"] not in labels]
    if missing and not partial:
        raise SystemExit(f"{len(missing)} sentences not annotated, e.g. {missing[:5]}")
    with open(out_path, "w", encoding="utf-8") as f:
        for r in pool:
            if r["id"] in labels:
                f.write(json.dumps({**r, "events": labels[r["id"]], "annotator": "A"}, ensure_ascii=False) + "\n")
    print(f"{len(labels)} annotated, {sum(len(v) for v in labels.values())} events -> {out_path}")


if __name__ == "__main__":
    main(sys.argv[1:])
