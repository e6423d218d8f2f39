#!/usr/bin/env python3
"""Scores a names job by slice: Padrón's result workbook and Splink's CSV
against a truth file, side by side.

  score_slices.py TRUTH.csv PADRON.xlsx [SPLINK.csv] [--bands]
      [--identify REGISTRY.csv NAMES.xlsx [--write-truth MARKED.csv]]

TRUTH is either independent_queries.py's (existe, con_fecha, tipo, campo,
perturbaciones, identificable) or the benchmark's own (referencia,
cui_esperado, perturbaciones: a row without a date is one whose
perturbations include sin_fecha_nacimiento; every registered row counts
as identifiable, unless `--identify` is given: then only those whose
given fields, as registered, are carried by one person alone). Recall is correct ENCONTRADO over identifiable
registered rows; precision is correct over all ENCONTRADO (a non-existent
row found is wrong). `--write-truth` saves the truth with the marks
`--identify` made, in the independent set's columns, so a large registry
(18 M persons: minutes per pass) is read once per set. `--bands` adds, for Padrón, the share of wrong
answers among ENCONTRADO by posterior band (calibration), beside the
number the posteriors themselves predict.
"""
import csv
import sys
import unicodedata

import openpyxl


def truth_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            kinds = r.get("perturbaciones", "")
            if "existe" not in r:
                r["existe"] = "1" if r["cui_esperado"] else "0"
                r["con_fecha"] = "0" if "sin_fecha_nacimiento" in kinds else "1"
                r["identificable"] = r["existe"]
                r["_own"] = True
                r["tipo"] = "" if r["cui_esperado"] else "fuera_del_registro"
            yield r


def fold(text):
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return " ".join(text.replace(".", " ").split())


def person_key_fields(row):
    married = fold(row[6])
    for p in ("VDA DE ", "VIUDA DE ", "DE "):
        if married.startswith(p):
            married = married[len(p):]
    return [fold(row[1]), fold(row[2]), fold(row[3]), fold(row[4]), fold(row[5]), married, row[11]]


def mark_identifiable(truth, registry_csv, names_xlsx):
    """For a truth file without `identificable`: a registered row counts as
    identifiable when the fields its cells give (given names present and
    not an initial, surnames, married surname, date), taken from the
    registered person, are carried by that person alone."""
    book = openpyxl.load_workbook(names_xlsx, read_only=True)
    cells = {}
    for i, r in enumerate(book.worksheets[0].iter_rows(values_only=True)):
        if i:
            cells[str(r[0])] = r
    wanted = {t["cui_esperado"]: t for t in truth if t["cui_esperado"]}
    persons = {}
    with open(registry_csv, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            if row[0] in wanted:
                persons[row[0]] = person_key_fields(row)
    forms = {}
    for t in truth:
        f = persons.get(t["cui_esperado"])
        if f is None:
            continue
        c = cells[t["referencia"]]
        given_words = [w for g in c[1:4] for w in fold(g).split() if len(w) > 1]
        n_given = min(len([g for g in f[:3] if g]), len(given_words))
        idx = list(range(n_given))
        surnames = [fold(x) for x in c[4:6] if fold(x)]
        has_married = bool(fold(c[6])) or any(" DE " in " " + x for x in surnames[1:])
        idx += [3] if len(surnames) >= 1 else []
        idx += [4] if len(surnames) >= 2 and f[4] else []
        idx += [5] if has_married and f[5] else []
        idx += [6] if c[7] else []
        key = (tuple(idx), tuple(f[i] for i in idx))
        t["_key"] = key
        forms.setdefault(key[0], set()).add(key[1])
    counts = {}
    with open(registry_csv, newline="", encoding="utf-8") as fh:
        r = csv.reader(fh)
        next(r)
        for row in r:
            f = person_key_fields(row)
            for idx, keys in forms.items():
                k = tuple(f[i] for i in idx)
                if k in keys:
                    counts[(idx, k)] = counts.get((idx, k), 0) + 1
    for t in truth:
        if "_key" in t:
            t["identificable"] = "1" if counts.get(t["_key"], 0) == 1 else "0"


def write_truth(truth, path):
    """The truth as read and marked, in independent_queries.py's columns
    (which `truth_rows` reads back as they are)."""
    cols = ["referencia", "cui_esperado", "existe", "con_fecha", "tipo", "campo",
            "perturbaciones", "identificable"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for t in truth:
            w.writerow([t.get(c, "") for c in cols])


def padron(path):
    book = openpyxl.load_workbook(path, read_only=True)
    ws = book["resultados"]
    out = {}
    for i, row in enumerate(ws.iter_rows(values_only=True)):
        if i == 0:
            continue
        ref = str(row[0])
        out[ref] = (row[16] or "", str(row[1] or ""), float(row[17] or 0), row[18] or "")
    return out


def splink(path):
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out[r["referencia"]] = (r["resultado"], r["cui"], float(r["probabilidad"] or 0) * 100, "")
    return out


class Tally:
    def __init__(self):
        self.rows = self.ident = self.found = self.right = self.wrong = self.amb = self.ident_amb = 0

    def add(self, t, a):
        outcome, cui = a[0], a[1]
        self.rows += 1
        ident = t["identificable"] == "1"
        self.ident += ident
        if outcome == "ENCONTRADO":
            self.found += 1
            if t["existe"] == "1" and cui == t["cui_esperado"]:
                self.right += ident
            else:
                self.wrong += 1
        if outcome == "AMBIGUO":
            self.amb += 1
            self.ident_amb += ident

    def cells(self):
        rec = f"{100 * self.right / self.ident:.1f}%" if self.ident else "—"
        prec = f"{100 * (self.found - self.wrong) / self.found:.2f}%" if self.found else "—"
        return [str(self.rows), str(self.ident), rec, prec, str(self.wrong), str(self.amb)]


def slices(t):
    dob = "con fecha" if t["con_fecha"] == "1" else "sin fecha"
    yield "todas"
    yield dob
    if t["existe"] == "1":
        yield "existe, identificable" if t["identificable"] == "1" else "existe, no identificable"
        yield f"existe, {dob}"
        for k in t.get("perturbaciones", "").split("+"):
            if k and k not in ("sin_fecha", "sin_fecha_nacimiento"):
                yield f"ruido: {k}"
    else:
        tipo = t.get("tipo") or "no existe"
        campo = t.get("campo") or ""
        yield "no existe (todas)"
        yield f"no existe: {tipo}"
        if campo:
            yield f"no existe: {tipo} en {campo}"
        yield f"no existe, {dob}"
    if "evidencia" in t:
        ev = [k for k in t["evidencia"].split("+") if k]
        yield f"{dob}, con sexo o lugar" if {"sexo", "departamento", "municipio"} & set(ev) else f"{dob}, sin sexo ni lugar"
        for k in ev:
            yield f"evidencia: {k}"


def take_option(argv, name, count=1):
    """The `count` values after `--name` in `argv`, taken out of it with
    the option; `None` when it is not there."""
    if name not in argv:
        return None
    i = argv.index(name)
    values = argv[i + 1:i + 1 + count]
    del argv[i:i + 1 + count]
    return values


def identify_option(argv, path):
    """The truth at `path`, marked when `argv` asks for `--identify
    REGISTRY NAMES` (the option is taken out of `argv`)."""
    given = take_option(argv, "--identify", 2)
    truth = list(truth_rows(path))
    if given and "_own" in truth[0]:
        mark_identifiable(truth, *given)
    return truth


def main():
    argv = sys.argv[1:]
    marked = take_option(argv, "--write-truth")
    truth = identify_option(argv, next(a for a in argv if not a.startswith("--")))
    args = [a for a in argv if not a.startswith("--")]
    bands = "--bands" in argv
    if marked:
        write_truth(truth, marked[0])
    engines = [("Padrón", padron(args[1]))]
    if len(args) > 2:
        try:
            engines.append(("Splink", splink(args[2])))
        except FileNotFoundError:
            pass
    order, table = [], {}
    for t in truth:
        for s in slices(t):
            if s not in table:
                order.append(s)
                table[s] = [Tally() for _ in engines]
            for tally, (_, ans) in zip(table[s], engines):
                tally.add(t, ans.get(t["referencia"], ("", "", 0, "")))
    head = ["slice"]
    for name, _ in engines:
        head += [f"{name} rows", "identifiable", "recall", "precision", "wrong", "AMBIGUO"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    def rank(s):
        return (0 if s == "todas" else 1 if "fecha" in s and s.count(",") == 0 else
                2 if s.startswith("existe") else 3 if s.startswith("no existe") else 4, s)
    for s in sorted(order, key=rank):
        cells = [s]
        for tally in table[s]:
            cells += tally.cells()
        print("| " + " | ".join(cells) + " |")
    if bands:
        ans = engines[0][1]
        # From the lowest bar an installation may set (90 %) up; `expected`
        # is what the posteriors themselves predict (the sum of 1 − p).
        edges = [90.0, 95.0, 97.5, 98.5, 99.0, 99.5, 99.9, 99.99, 101]
        print("\n| posterior band (Padrón ENCONTRADO) | rows | wrong | share wrong | expected wrong |\n|---|---|---|---|---|")
        for lo, hi in zip(edges, edges[1:]):
            n = w = 0
            expected = 0.0
            for t in truth:
                o, cui, p, _ = ans.get(t["referencia"], ("", "", 0, ""))
                if o == "ENCONTRADO" and lo <= p < hi:
                    n += 1
                    w += not (t["existe"] == "1" and cui == t["cui_esperado"])
                    expected += 1 - p / 100
            if n == 0 and lo < 97.5:
                continue
            label = f"[{lo}, {hi if hi < 101 else 100}]"
            print(f"| {label} | {n} | {w} | {100 * w / n if n else 0:.2f}% | {expected:.2f} |")
    wrong = []
    for t in truth:
        o, cui, p, notes = engines[0][1].get(t["referencia"], ("", "", 0, ""))
        if o == "ENCONTRADO" and not (t["existe"] == "1" and cui == t["cui_esperado"]):
            wrong.append(f"- {t['referencia']} ({t.get('tipo', '')} {t.get('campo', '')} "
                         f"{t.get('perturbaciones', '')}): {cui} at {p}% for «{t['cui_esperado']}»")
    if wrong:
        print("\nPadrón wrong ENCONTRADO:\n" + "\n".join(wrong[:30]))


if __name__ == "__main__":
    main()
