"""Sample annotator A's sentence pool (pool_A.jsonl) from real corpora; seeded and reproducible.

Usage: python pipeline/data/corpora/signals/make_pool_A.py [--shared /work/shared] [--seeds seeds]
Composition target (~1,600): ~60% "core" (NATO/Russia/Ukraine/military/diplomatic/sanctions word),
~25% other political/world news, ~15% hard negatives (BBC sport/business/entertainment/tech using
conflict words). At most 8 sentences per document. split = "test" for 20% of documents (sha256 of
SEED + doc id), else "train".
"""
import argparse, csv, gzip, hashlib, io, json, random, re, sys
from pathlib import Path

SEED = "signals-A-2026"
N_CORE, N_OTHER, N_HARD = 960, 400, 240
N_RARE = 150  # appended after A1599 (ids unchanged): sentences naming rare event types
RARE = re.compile(r"\b(expel\w*|expulsion\w*|persona non grata|intercept\w*|airspace|scrambl\w*|consulate\w*|"
                  r"recall\w* (its|their|the) ambassador|New START|INF|CFE|arms control|(lift|eas|relax)\w* (the |some )?sanctions|"
                  r"protest\w*|demonstrat(ion|ors)\w*|poison\w*|sabotage\w*|cyber\w*|hack\w*|gas supplies|cut off|"
                  r"prisoner exchange|exchanged|corridor\w*|withdr[ae]w\w*|truce|ceasefire|non-proliferation|treaty)\b", re.I)
MAX_PER_DOC = 8

CORE = re.compile(r"\b(NATO|Russia\w*|Ukrain\w*|Kremlin|Moscow|Kyiv|Kiev|Putin|Zelensk\w*|Belarus\w*|Crimea\w*|"
                  r"military|troops?|army|armed forces|missiles?|drones?|nuclear|sanction\w*|embargo\w*|"
                  r"diplomat\w*|embass\w*|ambassador\w*|ceasefire|truce|invasion|invade\w*|shell\w*|"
                  r"Pentagon|Baltic|Poland|Lithuania|Estonia|Latvia|Finland|Sweden)\b")
HARDW = re.compile(r"\b(attack\w*|war|wars|warfare|sanction\w*|threat\w*|troops?|talks|strike\w*|battle\w*|"
                   r"fight\w*|missiles?|defen[cs]\w*|invasion|invade\w*|killed|bomb\w*|crisis|shot|"
                   r"weapons?|siege|raid\w*|assault\w*|clash\w*|ceasefire|truce|blockade|retaliat\w*|"
                   r"hostil\w*|enemy|enemies|army|armies|veto\w*|expel\w*|ultimatum|warn\w*|deal)\b", re.I)
ABBR = r"(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Col|Lt|Sgt|Capt|Maj|Adm|Rep|Sen|Gov|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|vs|U\.S|U\.K|U\.N|e\.g|i\.e|etc|approx|Inc|Ltd|Co|Corp|Jr|Sr)"
BOILER = re.compile(r"(cookie|subscribe|sign up|newsletter|javascript|advertisement|click here|all rights reserved|"
                    r"privacy policy|may not be published|redistributed|photo:|getty|terms of use|read more|follow us|share this|copyright|log in|©|\|)", re.I)


def split_sentences(text):
    """Split paragraphs into sentences with a regex that keeps common abbreviations intact."""
    out = []
    for para in re.split(r"\n+", text):
        para = re.sub(r"\s+", " ", para).strip()
        if not para:
            continue
        out.extend(_split(para))
    return out


def _split(para):
    toks = re.split(r"(\s+)", para)
    sents, cur = [], ""
    for i, t in enumerate(toks):
        cur += t
        if t.strip() and re.search(r"[.!?][\"'”’)]?$", t):
            word = re.sub(r"[\"'”’)]+$", "", t).rstrip(".!?")
            nxt = toks[i + 2] if i + 2 < len(toks) else ""
            if t.endswith(".") and re.fullmatch(ABBR, word.lstrip("(\"“")):
                continue
            if re.fullmatch(r"[A-Z]", word):  # initials
                continue
            if nxt and not re.match(r"[\"“'(]?[A-Z0-9]", nxt):
                continue
            sents.append(cur.strip()); cur = ""
    if cur.strip():
        sents.append(cur.strip())
    return sents


def good(s):
    """A full, clean sentence: >= 6 words, ends like a sentence, no boilerplate, not a headline."""
    words = s.split()
    if len(words) < 6 or len(words) > 70:
        return False
    if not re.search(r"[.!?][\"'”’)]?$", s):
        return False
    if BOILER.search(s) or "http" in s or "#" in s or "*" in s or "[" in s:
        return False
    if sum(c.isascii() for c in s) < 0.97 * len(s):  # non-English (Cyrillic, Spanish ...) text
        return False
    if re.search(r"\b(el|las|los|und|der|die|nicht|w|na|jest)\b", s):
        return False
    if re.search(r"[a-z][.!?][A-Z]", s):  # glued sentences from bad scraping
        return False
    if sum(w[:1].isupper() for w in words) > 0.7 * len(words):
        return False
    return True


def split_of(doc):
    """Seeded document-level split: 20% test."""
    h = int(hashlib.sha256((SEED + "|" + doc).encode()).hexdigest(), 16)
    return "test" if h % 5 == 0 else "train"


def load_docs(shared, seeds):
    docs = []  # (source, doc, date, section, text)
    g = shared / "data/ukraine_war_news_gdelt_hellaskella33/articles.jsonl"
    for line in g.open(encoding="utf-8"):
        r = json.loads(line)
        docs.append(("gdelt_ukraine_war", "gdelt:" + r["id"], (r.get("date") or "")[:10], "news", r["text"]))
    w = shared / "data/ukraine_war_web_crawl_2026_kjdragan/articles.jsonl"
    for line in w.open(encoding="utf-8"):
        r = json.loads(line)
        docs.append(("web_crawl_2026", "crawl:" + r["id"], (r.get("date") or "")[:10], "news", r["text"]))
    for p in sorted(Path(seeds).glob("*.txt")):
        docs.append(("seeds", "seed:" + p.stem, "", "news", p.read_text(encoding="utf-8")))
    b = shared / "data/bbc_news_2225/bbc_news.csv.gz"
    with gzip.open(b, "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            docs.append(("bbc_news", "bbc:" + r["id"], "", r["label"], r["text"]))
    return docs


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="/work/shared")
    ap.add_argument("--seeds", default="/work/main/seeds")
    ap.add_argument("--out", default=str(Path(__file__).with_name("pool_A.jsonl")))
    a = ap.parse_args(argv)
    rng = random.Random(SEED)
    core, other, hard = [], [], []
    seen = set()
    for source, doc, date, section, text in load_docs(Path(a.shared), a.seeds):
        for s in split_sentences(text)[1:] if source == "bbc_news" else split_sentences(text):
            if not good(s) or s in seen:
                continue
            seen.add(s)
            rec = (source, doc, date, s)
            if section in ("sport", "business", "entertainment", "tech"):
                if HARDW.search(s):
                    hard.append(rec)
            elif CORE.search(s):
                core.append(rec)
            else:
                other.append(rec)
    per_doc = {}
    chosen = []
    for bucket, n in ((core, N_CORE), (other, N_OTHER), (hard, N_HARD)):
        rng.shuffle(bucket)
        k = 0
        for rec in bucket:
            if k >= n:
                break
            if per_doc.get(rec[1], 0) >= MAX_PER_DOC:
                continue
            per_doc[rec[1]] = per_doc.get(rec[1], 0) + 1
            chosen.append(rec); k += 1
    rng.shuffle(chosen)
    # Supplement (added after the first 1,600 were annotated; they keep their ids): rare categories.
    taken = {c[3] for c in chosen}
    rare = [rec for rec in core + other if rec[3] not in taken and RARE.search(rec[3])]
    rng2 = random.Random(SEED + "|rare")
    rng2.shuffle(rare)
    k = 0
    for rec in rare:
        if k >= N_RARE:
            break
        if per_doc.get(rec[1], 0) >= MAX_PER_DOC:
            continue
        per_doc[rec[1]] = per_doc.get(rec[1], 0) + 1
        chosen.append(rec); k += 1
    with open(a.out, "w", encoding="utf-8") as f:
        for i, (source, doc, date, s) in enumerate(chosen):
            f.write(json.dumps({"id": f"A{i:04d}", "source": source, "doc": doc, "date": date,
                                "split": split_of(doc), "text": s}, ensure_ascii=False) + "\n")
    print(f"wrote {len(chosen)} sentences to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
