"""Convert annotator B's compact labels into the corpus format (issue #18 tension-event scheme, version 1).

Usage: python label_B.py WORK.txt POOL.jsonl OUT.jsonl [ANNOTATOR]

WORK.txt holds one line per annotated sentence:
    B0001 |                                              no event
    B0002 | trigger ~ cat ~ mod ~ source ~ target ; ...  one or more events
    B0003 | shelled ~ att ~ r ~ Russia ~ Kyiv ~ hist     a 6th field `hist` marks historical narration
`trigger#2` means the trigger's second occurrence. Categories and modalities may be written in full or by the
short codes below. Lines starting with '#' are comments. Every trigger must occur (as a whole-word span) in the
sentence, every source/target must occur in it too, and every code must be in the scheme, or the script stops
with the offending line. Output: the pool lines of the annotated ids, in pool order, plus "events" and
"annotator".
"""
import json
import re
import sys

CATEGORIES = {
    "att": "attack_invasion", "cyb": "cyber_operation", "cov": "covert_operation", "bld": "military_buildup",
    "air": "airspace_incident", "arm": "arms_race", "nuc": "nuclear_rhetoric", "thr": "threat_ultimatum",
    "det": "deterrence", "dem": "demand_pressure", "rej": "rejection", "acc": "accusation", "san": "sanctions",
    "ene": "energy_coercion", "exp": "diplomatic_expulsion", "mis": "mission_closure", "pro": "protest",
    "coe": "coercion", "aid": "military_aid", "ten": "tension_state", "dia": "dialogue_talks",
    "ctl": "arms_control", "agr": "agreement", "cea": "ceasefire_withdrawal", "rel": "sanctions_relief",
    "res": "restraint", "hum": "humanitarian_cooperation",
}
MODALITIES = {"a": "asserted", "n": "negated", "h": "hypothetical", "f": "future", "r": "reported"}


class LabelError(ValueError):
    pass


def _code(value, table, what, line):
    v = value.strip()
    if v in table:
        return table[v]
    if v in table.values():
        return v
    raise LabelError(f"unknown {what} {v!r} in line: {line}")


def locate(trigger: str, text: str, line: str):
    """(start, end) of the n-th whole-word occurrence of trigger (`trigger#n`, default the first)."""
    nth = 1
    m = re.fullmatch(r"(.*?)#(\d+)", trigger)
    if m:
        trigger, nth = m.group(1), int(m.group(2))
    pat = (r"\b" if trigger[:1].isalnum() else "") + re.escape(trigger) + (r"\b" if trigger[-1:].isalnum() else "")
    hits = [h.span() for h in re.finditer(pat, text)]
    if len(hits) < nth:
        raise LabelError(f"trigger {trigger!r} (occurrence {nth}) not found in line: {line}")
    return hits[nth - 1]


def parse_events(body: str, text: str, line: str):
    """The events of one compact label line, with exact offsets."""
    events = []
    for chunk in [c for c in body.split(";") if c.strip()]:
        parts = [p.strip() for p in chunk.split("~")]
        if len(parts) not in (5, 6) or (len(parts) == 6 and parts[5] != "hist"):
            raise LabelError(f"expected trigger ~ cat ~ mod ~ source ~ target [~ hist], got {chunk!r} in: {line}")
        trig_spec, cat, mod, src, tgt = parts[:5]
        start, end = locate(trig_spec, text, line)
        for actor in (src, tgt):
            if actor and actor.lower() not in text.lower():
                raise LabelError(f"actor {actor!r} is not named in the sentence: {line}")
        ev = {"trigger": text[start:end], "start": start, "end": end,
              "category": _code(cat, CATEGORIES, "category", line),
              "modality": _code(mod, MODALITIES, "modality", line), "source": src, "target": tgt}
        if len(parts) == 6:
            ev["historical"] = True
        assert text[ev["start"]:ev["end"]] == ev["trigger"]
        events.append(ev)
    return events


def convert(work_path, pool_path, out_path, annotator="B"):
    pool = [json.loads(x) for x in open(pool_path, encoding="utf-8") if x.strip()]
    by_id = {r["id"]: r for r in pool}
    labels = {}
    for raw in open(work_path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "|" not in line:
            raise LabelError(f"no '|' in line: {line}")
        sid, body = line.split("|", 1)
        sid = sid.strip()
        if sid not in by_id:
            raise LabelError(f"unknown sentence id {sid!r}")
        if sid in labels:
            raise LabelError(f"sentence {sid} labelled twice")
        labels[sid] = parse_events(body, by_id[sid]["text"], line)
    n = 0
    with open(out_path, "w", encoding="utf-8") as fh:
        for r in pool:
            if r["id"] in labels:
                fh.write(json.dumps(dict(r, events=labels[r["id"]], annotator=annotator), ensure_ascii=False) + "\n")
                n += 1
    return n, sum(len(v) for v in labels.values())


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    try:
        n, e = convert(*sys.argv[1:])
    except LabelError as err:
        sys.exit(f"label_B: {err}")
    print(f"{n} sentences, {e} events -> {sys.argv[3]}")
