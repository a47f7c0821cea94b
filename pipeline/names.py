"""Person names across transliterations: one pure module (no model, no lists) that the actors stage and the read
side share.

``name_skeleton`` folds the spellings of one name together ("Zelenskyy", "Zelensky", "Zelenskiy" → "zelenski";
"Podolyak", "Podoliak" → "podoliak"). :func:`spelling_map` gives, over a whole store, one spelling per person the
actor dictionary does not list: full names whose first-name and surname skeletons agree take the most frequent
spelling (ties: the alphabetically last, so the choice does not depend on the order articles arrived in).
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd


def fold(text: str) -> str:
    """Lower case without diacritics ("Šiauliai" → "siauliai", "Łysak" → "lysak")."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def name_skeleton(name: str) -> str:
    """A name's transliteration skeleton: no diacritics, no al-/el-, y = i = j, w = v, Polish cz/sz = ch/sh,
    doubled letters single ("Zelenskyy" and "Zelensky" → "zelenski"; "Wołodymyr" → "volodimir"; "al-Assad" → "asad")."""
    word = fold(name)
    word = re.sub(r"^(?:al|el|ul|as|ad|an|ar|ash|at|az)[-\s]", "", word)
    word = re.sub(r"[^a-z]", "", word).replace("cz", "ch").replace("sz", "sh").replace("w", "v")
    word = word.replace("y", "i").replace("j", "i")
    return re.sub(r"(.)\1+", r"\1", word)


def surname(name: str) -> str:
    """The surname of a full name (the last word, before Jr/Sr/II/III)."""
    words = name.split()
    if len(words) > 2 and words[-1].rstrip(".") in {"Jr", "Sr", "II", "III"}:
        return words[-2]
    return words[-1] if words else ""


def first_names_agree(a: str, b: str) -> bool:
    """First names of two full names that may be one person: same skeleton, or one an initial of the other."""
    first_a, first_b = a.split()[0], b.split()[0]
    ska, skb = name_skeleton(first_a), name_skeleton(first_b)
    if ska == skb:
        return True
    return bool(ska and skb) and (len(first_a.rstrip(".")) == 1 or len(first_b.rstrip(".")) == 1) and ska[0] == skb[0]


def person_key(name: str) -> tuple[str, str]:
    """(first-name skeleton, surname skeleton): two spellings of one person share it."""
    return name_skeleton(name.split()[0]), name_skeleton(surname(name))


def spelling_map(mentions: pd.DataFrame) -> dict[str, str]:
    """Spelling → canonical spelling for the unlisted people of ``mentions`` (actor-mention rows of any number of
    articles) that are spelled more than one way; spellings already canonical are left out."""
    if mentions.empty:
        return {}
    listed = mentions["actor_id"].fillna("").astype(str) != "" if "actor_id" in mentions else False
    names = mentions.loc[(mentions["actor_type"] == "person") & ~listed, "actor"].dropna().astype(str)
    counts = names.loc[names.str.contains(" ", regex=False)].value_counts()
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for name, n in counts.items():
        groups.setdefault(person_key(name), []).append((int(n), name))
    out = {}
    for spellings in groups.values():
        if len(spellings) > 1:
            canonical = max(spellings)[1]
            out.update({name: canonical for _, name in spellings if name != canonical})
    return out
