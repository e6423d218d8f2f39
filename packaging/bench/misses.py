#!/usr/bin/env python3
"""Lists the rows a names job got wrong or missed, for reading: each
identifiable registered row not found right (and each wrong ENCONTRADO),
with the row as typed, the registered person, Padrón's outcome, score,
notes and its first candidates.

  misses.py TRUTH.csv NAMES.xlsx PADRON.xlsx REGISTRY.csv [--slice WORD]

TRUTH is the benchmark's own or independent_queries.py's (see
score_slices.py, whose identifiability rule this uses). `--slice WORD`
keeps the rows whose perturbations contain WORD.
"""
import csv
import sys

import openpyxl

import score_slices as s


def main():
    argv = sys.argv[1:]
    only = (s.take_option(argv, "--slice") or [None])[0]
    truth_path, names, result, registry = argv[:4]
    truth = list(s.truth_rows(truth_path))
    if "_own" in truth[0]:
        s.mark_identifiable(truth, registry, names)
    rows = {}
    for i, r in enumerate(openpyxl.load_workbook(names, read_only=True).worksheets[0].iter_rows(values_only=True)):
        if i:
            rows[str(r[0])] = r
    ans = s.padron(result)
    cands = {}
    book = openpyxl.load_workbook(result, read_only=True)
    for i, r in enumerate(book["candidatos"].iter_rows(values_only=True)):
        if i:
            cands.setdefault(str(r[0]), []).append(r)
    wanted = {t["cui_esperado"] for t in truth if t["cui_esperado"]}
    persons = {}
    with open(registry, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            if row[0] in wanted:
                persons[row[0]] = row
    shown = 0
    for t in truth:
        o, cui, p, notes = ans.get(t["referencia"], ("", "", 0, ""))
        right = t["existe"] == "1" and cui == t["cui_esperado"]
        miss = t["identificable"] == "1" and not (o == "ENCONTRADO" and right)
        wrong = o == "ENCONTRADO" and not right
        if not (miss or wrong):
            continue
        kinds = t.get("perturbaciones", "")
        if only and only not in kinds and only not in t.get("tipo", ""):
            continue
        shown += 1
        r = rows[t["referencia"]]
        print(f"## {t['referencia']} {'WRONG' if wrong else 'miss'} {o} {p}% [{kinds} {t.get('tipo', '')} {t.get('campo', '')}]")
        print(f"   row:    {' | '.join(str(x or '') for x in r[1:])}")
        per = persons.get(t["cui_esperado"])
        if per:
            print(f"   person: {per[0]} {' | '.join(per[1:7])} | {per[7]} {per[9]}/{per[10]} {per[11]}")
        print(f"   notes:  {notes}")
        for c in cands.get(t["referencia"], [])[:4]:
            mark = "*" if str(c[4]) == t["cui_esperado"] else " "
            print(f"   {mark}{c[2]} {c[3]}: {c[4]} {' '.join(str(x or '') for x in c[5:11])} {c[11]} {c[12]} — {c[16]}")
    print(f"\n{shown} rows")


if __name__ == "__main__":
    main()
