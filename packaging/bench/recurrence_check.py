#!/usr/bin/env python3
"""Checks the engine's recurrence estimate against a second population.

  recurrence_check.py REGISTRY.csv OTHER.csv

REGISTRY and OTHER are two registries of the same size (`padron-server
registry generate` with two seeds, or two halves of a real one). For each
name form (first given name and first surname; with the second surname;
with the second given name; all four) and each bin of the independence
estimate (`log2` of persons × the shares of the name's parts, as
`server/consulta/src/matching/recurrence.rs` bins them), prints the
Good–Turing estimate the engine uses for a name REGISTRY holds once,
`2·(n₂ + ½)/n₁`, beside how many carriers those names have in OTHER: the
expected number of people outside the registry, per registry-sized
population, who carry a name the registry has seen once. Names are folded
for case and accents only (the engine's particles and spelling variants
are not applied), so the check is of the estimate, not of normalisation.
"""
import csv
import math
import sys
import unicodedata
from collections import Counter

FORMS = {
    "first given, first surname": ("g1", "s1"),
    "first given, both surnames": ("g1", "s1", "s2"),
    "both given, first surname": ("g1", "g2", "s1"),
    "both given, both surnames": ("g1", "g2", "s1", "s2"),
}
COLUMNS = {"g1": 1, "g2": 2, "s1": 4, "s2": 5}
# Bins with fewer names seen once are not printed (too few to compare).
MIN_ONCE = 2000


def fold(text):
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).upper().strip()


def read(path):
    """Carriers per name of each form, people per part, and persons."""
    names = {form: Counter() for form in FORMS}
    parts = {part: Counter() for part in COLUMNS}
    persons = 0
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)
        for row in rows:
            persons += 1
            p = {part: fold(row[col]) for part, col in COLUMNS.items()}
            for part, value in p.items():
                parts[part][value] += 1
            for form, fields in FORMS.items():
                if all(p[x] for x in fields):
                    names[form][tuple(p[x] for x in fields)] += 1
    return names, parts, persons


def main():
    names, parts, persons = read(sys.argv[1])
    other, _, _ = read(sys.argv[2])
    for form, fields in FORMS.items():
        bins = {}
        for name, carriers in names[form].items():
            if carriers > 2:
                continue
            expected = persons
            for part, token in zip(fields, name):
                expected *= parts[part][token] / persons
            b = math.floor(math.log2(expected)) if expected > 0 else -24
            once, twice, seen_there = bins.setdefault(b, [0, 0, 0])
            if carriers == 1:
                bins[b] = [once + 1, twice, seen_there + other[form].get(name, 0)]
            else:
                bins[b] = [once, twice + 1, seen_there]
        print(f"{form}:")
        print("| log2 bin | names seen once | Good–Turing | carriers in the other population |")
        print("|---|---|---|---|")
        total = [0, 0, 0]
        for b in sorted(bins):
            once, twice, seen_there = bins[b]
            total = [t + x for t, x in zip(total, bins[b])]
            if once >= MIN_ONCE:
                print(f"| {b} | {once} | {2 * (twice + 0.5) / once:.4f} | {seen_there / once:.4f} |")
        print(f"| all | {total[0]} | {2 * total[1] / total[0]:.4f} | {total[2] / total[0]:.4f} |\n")


if __name__ == "__main__":
    main()
