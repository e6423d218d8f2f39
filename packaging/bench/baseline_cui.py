#!/usr/bin/env python3
"""Plain Python baseline for the CUI job: openpyxl + sqlite3, no tricks.

  baseline_cui.py import REGISTRY.csv BASELINE.sqlite   # one table keyed by the CUI
  baseline_cui.py match BASELINE.sqlite IN.xlsx OUT.xlsx

The match step reads the query workbook (header Referencia, CUI, Programa),
validates each CUI's check digit, department and municipality, looks it up
and writes a result workbook with the same columns as Padrón's.
"""
import csv
import sqlite3
import sys
import time

import openpyxl

MUNICIPALITIES = [17, 8, 16, 16, 14, 14, 19, 8, 24, 21, 9, 30, 33, 21, 8, 17, 14, 5, 11, 11, 7, 17]
COLUMNS = ["referencia", "cui", "primer_nombre", "segundo_nombre", "tercer_nombre", "primer_apellido",
           "segundo_apellido", "apellido_casada", "sexo", "pais_nacimiento", "departamento_nacimiento",
           "municipio_nacimiento", "fecha_nacimiento", "fallecido", "fecha_defuncion",
           "fecha_inscripcion_defuncion", "resultado", "puntaje", "observaciones"]


def valid_cui(text):
    digits = "".join(ch for ch in text if ch not in " -")
    if len(digits) != 13 or not digits.isdigit():
        return None
    d = [int(c) for c in digits]
    if sum(d[i] * (i + 2) for i in range(8)) % 11 != d[8]:
        return None
    dep, mun = d[9] * 10 + d[10], d[11] * 10 + d[12]
    if not 1 <= dep <= 22 or not 1 <= mun <= MUNICIPALITIES[dep - 1]:
        return None
    return digits


def do_import(csv_path, db_path):
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("DROP TABLE IF EXISTS person")
    con.execute("CREATE TABLE person(cui TEXT PRIMARY KEY, primer_nombre, segundo_nombre, tercer_nombre,"
                " primer_apellido, segundo_apellido, apellido_casada, sexo, pais_nacimiento,"
                " departamento_nacimiento, municipio_nacimiento, fecha_nacimiento, fallecido,"
                " fecha_defuncion, fecha_inscripcion_defuncion) WITHOUT ROWID")
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)
        con.executemany("INSERT OR IGNORE INTO person VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.commit()
    con.close()


def do_match(db_path, in_path, out_path):
    con = sqlite3.connect(db_path)
    book = openpyxl.load_workbook(in_path, read_only=True)
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip().lower() for h in next(rows)]
    i_ref, i_cui, i_prog = header.index("referencia"), header.index("cui"), header.index("programa")
    out = openpyxl.Workbook(write_only=True)
    ws = out.create_sheet("resultados")
    ws.append(COLUMNS)
    for row in rows:
        if row is None or all(v is None for v in row):
            continue
        ref, raw, prog = row[i_ref], row[i_cui], row[i_prog]
        raw = "" if raw is None else (str(int(raw)).zfill(13) if isinstance(raw, (int, float)) else str(raw))
        if not prog:
            ws.append([ref, raw] + [None] * 14 + ["RECHAZADO", None, "falta el programa social"])
            continue
        cui = valid_cui(raw)
        if cui is None:
            ws.append([ref, raw] + [None] * 14 + ["CUI_INVALIDO", None, ""])
            continue
        found = con.execute("SELECT * FROM person WHERE cui = ?", (cui,)).fetchone()
        if found is None:
            ws.append([ref, cui] + [None] * 14 + ["NO_ENCONTRADO", None, ""])
        else:
            ws.append([ref] + list(found) + ["ENCONTRADO", 100, ""])
    out.save(out_path)


if __name__ == "__main__":
    start = time.time()
    if sys.argv[1] == "import":
        do_import(sys.argv[2], sys.argv[3])
    else:
        do_match(sys.argv[2], sys.argv[3], sys.argv[4])
    print(f"{time.time() - start:.2f}", file=sys.stderr)
