#!/usr/bin/env python3
"""An independent names query set, written apart from `registry generate`.

  independent_queries.py REGISTRY.csv OUT_DIR [--seed S] [--rows N]

Writes OUT_DIR/names.xlsx (the import format's names workbook, same
columns as the benchmark's) and OUT_DIR/names_truth.csv. Nothing here is
shared with the Rust generator or with the engine: its own noise model,
its own word lists, its own rates, drawn per seed, and NOT tuned on (the
engine's thresholds are chosen on the benchmark's own sets; this set is
only ever scored).

Model:
- the share of rows without a date of birth is drawn per set between 20 %
  and 60 %;
- 15 % of rows are persons who do not exist: a registered person with one
  name (first surname 50 %, second surname 25 %, first given name 25 %)
  replaced by (a) an unrelated word or keyboard gibberish, (b) the same
  field of another registered person, (c) a name absent from the registry;
  a row that by chance is still a registered person's name is dropped;
- the others are registered persons with institution-style noise: upper
  case (or title / lower case), double spaces, the second given name typed
  into the surname column, initials, `MA.` for MARÍA, dropped accents,
  swapped surnames, the married surname in the surname cell (`X DE Y`) or
  in its own column, a missing second surname or second given name,
  keyboard-neighbour and phonetic slips, a date one year off.

Optional evidence columns, drawn with a second generator (so the rows
above are the same with or without them): per set, a share of rows in
30-70 % carries `Sexo` (F/M, FEMENINO/MASCULINO or MUJER/HOMBRE; 2 % the
other sex), a share in 20-50 % the department of birth (8 % the
residence's instead) and, for half of those, the municipality (10 %
another of the department); a share in 15-40 % `Edad` at today (5 % a
year off) or `Año de nacimiento`.

Truth columns: referencia, cui_esperado (empty: nobody), existe (1/0),
con_fecha (1/0), tipo (for non-existent rows: palabra, otro_nombre,
nombre_ausente), campo (the replaced field), perturbaciones (+-joined),
identificable (1 when the fields the row gives, folded for case and
accents, are carried by exactly one registered person; counted on the
whole registry).
"""
import argparse
import csv
import datetime
import os
import random
import sys
import unicodedata

import openpyxl

# Own lists (not the generator's).
UNRELATED_WORDS = [
    "MESA", "VENTANA", "CUADERNO", "TELEFONO", "BICICLETA", "ESCRITORIO", "LAMPARA",
    "PROGRAMA", "FORMULARIO", "PENDIENTE", "REVISAR", "SINDATO", "NINGUNO", "PRUEBA",
    "DESCONOCIDO", "ABONO", "PAPELERIA", "CAMIONETA", "TORTILLA", "MERCADO",
]
ABSENT_GIVEN = [
    "WOJCIECH", "SIOBHAN", "TORBJORN", "XIOMARILYS", "KEANU", "OLUWASEUN", "BJARNE",
    "ZBIGNIEW", "PRAVEEN", "TSUBASA", "ANNELIESE", "DMITRI", "GUNNHILD", "IFEOMA",
]
ABSENT_SURNAMES = [
    "WOJCIECHOWSKI", "NAKAMURA", "OKONKWO", "HALVORSEN", "PAPADOPOULOS", "KOWALCZYK",
    "VAN DER BERG", "SZYMANSKI", "TANAKA", "OYELARAN", "BJORNSSON", "KARAPETYAN",
    "MACGREGOR", "FITZGERALD", "LINDQVIST", "ABERNATHY", "NGUYEN", "CHAKRABORTY",
]
KEYBOARD_ROWS = ["QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"]
PHONETIC = [("S", "Z"), ("Z", "S"), ("CE", "SE"), ("CI", "SI"), ("B", "V"), ("V", "B"),
            ("LL", "Y"), ("Y", "LL"), ("H", ""), ("QU", "K"), ("GE", "JE"), ("X", "J")]


def fold(text):
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return " ".join(text.replace(".", " ").split())


def neighbours(ch):
    for r, row in enumerate(KEYBOARD_ROWS):
        i = row.find(ch)
        if i >= 0:
            near = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            for rr in (r - 1, r + 1):
                if 0 <= rr < len(KEYBOARD_ROWS) and i < len(KEYBOARD_ROWS[rr]):
                    near.append(KEYBOARD_ROWS[rr][i])
            return near
    return []


def keyboard_slip(rng, name):
    letters = list(name)
    spots = [i for i, c in enumerate(letters) if i > 0 and neighbours(fold(c))]
    if len(name) < 5 or not spots:
        return name
    i = rng.choice(spots)
    letters[i] = rng.choice(neighbours(fold(letters[i])))
    return "".join(letters)


def phonetic_slip(rng, name):
    plain = fold(name)
    options = [(a, b) for a, b in PHONETIC if a in plain[1:]]
    if not options:
        return name
    a, b = rng.choice(options)
    i = plain.index(a, 1)
    return plain[:i] + b + plain[i + len(a):]


def gibberish(rng):
    if rng.random() < 0.5:
        row = rng.choice(KEYBOARD_ROWS[:2])
        start = rng.randrange(0, len(row) - 5)
        word = row[start:start + rng.randint(4, 6)]
        return word + rng.choice(["IAN", "ÁN", "EZ", "O", "A"])
    syll = ["KRA", "ZU", "PLO", "XEN", "TRU", "BIF", "QOM", "GLA", "WEP", "DRU", "FEX", "JOT"]
    return "".join(rng.choice(syll) for _ in range(rng.randint(2, 3)))


def title(text):
    return " ".join(w[:1] + w[1:].lower() for w in text.split(" "))


def read_persons(path):
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            yield row


def reservoir(path, k, rng):
    sample, seen = [], 0
    for row in read_persons(path):
        seen += 1
        if len(sample) < k:
            sample.append(row)
        else:
            j = rng.randrange(seen)
            if j < k:
                sample[j] = row
    return sample, seen


# Fields as the key sees them: 0-2 given, 3 s1, 4 s2, 5 married (without DE/VDA), 6 dob.
def person_fields(row):
    married = fold(row[6])
    for p in ("VDA DE ", "VIUDA DE ", "DE "):
        if married.startswith(p):
            married = married[len(p):]
    return (fold(row[1]), fold(row[2]), fold(row[3]), fold(row[4]), fold(row[5]), married, row[11])


def build(rng, sample, donors, no_dob_share, rows_wanted):
    out = []
    for i, person in enumerate(sample):
        if len(out) >= rows_wanted:
            break
        fields = person_fields(person)
        given = [person[1], person[2], person[3]]
        s1, s2, married = person[4], person[5], person[6]
        born = person[11]
        kinds = []
        # What the row claims, folded; a field the person lacks is not claimed.
        key = {i: v for i, v in enumerate(fields) if v}
        exists = rng.random() >= 0.15
        kind, field = "", ""
        if not exists:
            kind = rng.choice(["palabra", "otro_nombre", "nombre_ausente"])
            field = rng.choices(["primer_apellido", "segundo_apellido", "primer_nombre"],
                                [50, 25, 25])[0]
            if field == "segundo_apellido" and not s2:
                field = "primer_apellido"
            donor = rng.choice(donors)
            if kind == "palabra":
                new = rng.choice(UNRELATED_WORDS) if rng.random() < 0.4 else gibberish(rng)
            elif kind == "otro_nombre":
                new = {"primer_apellido": donor[4], "segundo_apellido": donor[5] or donor[4],
                       "primer_nombre": donor[1]}[field]
            else:
                new = rng.choice(ABSENT_GIVEN if field == "primer_nombre" else ABSENT_SURNAMES)
            old = {"primer_apellido": s1, "segundo_apellido": s2, "primer_nombre": given[0]}[field]
            if fold(new) == fold(old):
                continue
            if field == "primer_apellido":
                s1 = new
                key[3] = fold(new)
            elif field == "segundo_apellido":
                s2 = new
                key[4] = fold(new)
            else:
                given[0] = new
                key[0] = fold(new)
        # Omissions and noise (existing and non-existing rows alike).
        if rng.random() < no_dob_share:
            born = ""
            key.pop(6, None)
            kinds.append("sin_fecha")
        elif exists and rng.random() < 0.02:
            y, m, d = born.split("-")
            if (m, d) != ("02", "29"):
                born = f"{int(y) + rng.choice([-1, 1])}-{m}-{d}"
                kinds.append("fecha_un_ano")
                key.pop(6, None)
        if not married or rng.random() < 0.4:
            married_text = ""
            key.pop(5, None)
        else:
            married_text = married
        if given[1] and rng.random() < 0.12:
            given[1] = given[2] = ""
            key.pop(1, None)
            key.pop(2, None)
            kinds.append("sin_segundo_nombre")
        if s2 and rng.random() < 0.10:
            s2 = ""
            key.pop(4, None)
            kinds.append("sin_segundo_apellido")
        if exists:
            r = rng.random()
            target = rng.choice(["s1", "s2", "g1"])
            if r < 0.07:
                if target == "s1":
                    s1 = keyboard_slip(rng, s1)
                elif target == "s2" and s2:
                    s2 = keyboard_slip(rng, s2)
                else:
                    given[0] = keyboard_slip(rng, given[0])
                kinds.append("tecla_vecina")
            elif r < 0.12:
                if target == "s1":
                    s1 = phonetic_slip(rng, s1)
                else:
                    given[0] = phonetic_slip(rng, given[0])
                kinds.append("fonetica")
        if fold(given[0]) == "MARIA" and rng.random() < 0.5:
            given[0] = rng.choice(["MA.", "MA", "Ma."])
            kinds.append("ma")
        if given[1] and rng.random() < 0.10:
            given[1] = given[1][:1] + "."
            key.pop(1, None)
            kinds.append("inicial")
        if s2 and rng.random() < 0.08:
            s1, s2 = s2, s1
            kinds.append("apellidos_invertidos")
        if married_text and rng.random() < 0.35:
            plain = married_text
            for p in ("VDA. DE ", "DE "):
                if plain.startswith(p):
                    plain = plain[len(p):]
            s2 = (s2 + " DE " + plain).strip()
            married_text = ""
            kinds.append("casada_en_apellido")
        if given[1] and rng.random() < 0.06:
            s1 = given[1] + " " + s1
            given[1] = ""
            kinds.append("nombre_en_apellido")
        cells = [given[0], given[1], given[2], s1, s2, married_text]
        if rng.random() < 0.5:
            cells = [fold(c) for c in cells]
            kinds.append("sin_tildes")
        case = rng.random()
        if case < 0.70:
            cells = [c.upper() for c in cells]
        elif case < 0.85:
            cells = [title(c) for c in cells]
            kinds.append("mayus_minus")
        else:
            cells = [c.lower() for c in cells]
            kinds.append("minusculas")
        if rng.random() < 0.10:
            cells = [c.replace(" ", "  ") if " " in c else (" " + c + " " if c else c) for c in cells]
            kinds.append("espacios")
        out.append({
            "cells": cells, "born": born, "cui": person[0] if exists else "",
            "exists": exists, "kind": kind, "field": field, "kinds": kinds,
            "key": tuple(sorted(key.items())),
            "person": person,
        })
    return out


DEPARTMENTS = sorted({r for r in ["GUATEMALA", "SOLOLÁ", "ALTA VERAPAZ", "HUEHUETENANGO",
    "QUETZALTENANGO", "SAN MARCOS", "ESCUINTLA", "PETÉN", "ZACAPA", "JUTIAPA"]})


def add_evidence(rng, rows):
    sex_share, place_share, age_share = rng.uniform(0.3, 0.7), rng.uniform(0.2, 0.5), rng.uniform(0.15, 0.4)
    by_department = {}
    for r in rows:
        p = r["person"]
        if p[9]:
            by_department.setdefault(p[9], set()).add(p[10])
    for r in rows:
        p = r["person"]
        ev = {"sexo": "", "departamento": "", "municipio": "", "edad": "", "ano": ""}
        if rng.random() < sex_share:
            sex = p[7] if rng.random() >= 0.02 else ("M" if p[7] == "F" else "F")
            style = rng.choice([{"F": "F", "M": "M"}, {"F": "FEMENINO", "M": "MASCULINO"},
                                {"F": "Mujer", "M": "Hombre"}])
            ev["sexo"] = style[sex]
        if p[9] and rng.random() < place_share:
            dep = p[9] if rng.random() >= 0.08 else rng.choice(DEPARTMENTS)
            ev["departamento"] = rng.choice([dep, fold(dep), dep.title()])
            if rng.random() < 0.5:
                mun = p[10]
                if dep != p[9] or rng.random() < 0.10:
                    mun = rng.choice(sorted(by_department.get(dep, {p[10]})))
                ev["municipio"] = rng.choice([mun, fold(mun)])
        if rng.random() < age_share:
            y, m, d = (int(x) for x in p[11].split("-"))
            today = datetime.date.today()
            age = today.year - y - ((today.month, today.day) < (m, d))
            if rng.random() < 0.05:
                age += rng.choice([-1, 1])
                y += rng.choice([-1, 1])
            if rng.random() < 0.5:
                ev["edad"] = str(max(age, 0))
            else:
                ev["ano"] = str(y)
        r["evidence"] = ev


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("registry")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rows", type=int, default=3000)
    a = ap.parse_args()
    rng = random.Random(a.seed * 7919 + 13)
    no_dob_share = rng.uniform(0.20, 0.60)
    sample, persons = reservoir(a.registry, int(a.rows * 1.3) + 500, rng)
    donors = sample[-400:]
    rows = build(rng, sample[:-400], donors, no_dob_share, int(a.rows * 1.15))
    # Pass 2: how many registered persons carry what each row claims.
    forms = {}
    for r in rows:
        idx = tuple(i for i, _ in r["key"])
        forms.setdefault(idx, set()).add(tuple(v for _, v in r["key"]))
    counts = {}
    for row in read_persons(a.registry):
        f = person_fields(row)
        for idx, wanted in forms.items():
            k = tuple(f[i] for i in idx)
            if k in wanted:
                counts[(idx, k)] = counts.get((idx, k), 0) + 1
    add_evidence(random.Random(a.seed * 104729 + 7), rows)
    kept = []
    for r in rows:
        idx = tuple(i for i, _ in r["key"])
        n = counts.get((idx, tuple(v for _, v in r["key"])), 0)
        if not r["exists"] and n > 0:
            continue  # by chance a registered person's name: not a non-existent row
        r["identifiable"] = r["exists"] and n == 1
        kept.append(r)
        if len(kept) == a.rows:
            break
    os.makedirs(a.out, exist_ok=True)
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Referencia", "Primer nombre", "Segundo nombre", "Tercer nombre",
               "Primer apellido", "Segundo apellido", "Apellido de casada",
               "Fecha de nacimiento", "Programa", "Sexo", "Departamento de nacimiento",
               "Municipio de nacimiento", "Edad", "Año de nacimiento"])
    with open(os.path.join(a.out, "names_truth.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["referencia", "cui_esperado", "existe", "con_fecha", "tipo", "campo",
                    "perturbaciones", "identificable", "evidencia"])
        for n, r in enumerate(kept):
            ref = f"I{n + 1:05}"
            born = datetime.date.fromisoformat(r["born"]) if r["born"] else None
            ev = r["evidence"]
            ws.append([ref, *[c or None for c in r["cells"]], born, "PROGRAMA SOCIAL",
                       *[ev[k] or None for k in ("sexo", "departamento", "municipio", "edad", "ano")]])
            if born:
                ws.cell(row=n + 2, column=8).number_format = "DD/MM/YYYY"
            w.writerow([ref, r["cui"], int(r["exists"]), int(bool(r["born"])), r["kind"],
                        r["field"], "+".join(r["kinds"]), int(r["identifiable"]),
                        "+".join(k for k in ("sexo", "departamento", "municipio", "edad", "ano")
                                 if ev[k])])
    book.save(os.path.join(a.out, "names.xlsx"))
    print(f"{len(kept)} rows, {persons} persons, no-DOB share {no_dob_share:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
