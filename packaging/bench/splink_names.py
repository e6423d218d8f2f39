#!/usr/bin/env python3
"""Splink (DuckDB backend) on the names job, for comparison with Padrón.

  splink_names.py REGISTRY.csv NAMES.xlsx OUT.csv

A standard Splink set-up: upper case without accents, merged given names
split, "DE" dropped from married surnames; NameComparison with term
frequency adjustments on names, DateOfBirthComparison; exact blocking on
pairs of (first given name, surnames, date of birth); u by random
sampling, m by expectation maximisation. A row is ENCONTRADO when its best
pair has match probability >= 0.995 and no other pair >= 0.5; AMBIGUO when
some pair reaches 0.5 otherwise; else NO_ENCONTRADO. Phase timings go to
stderr as one JSON line.
"""
import csv
import datetime
import json
import sys
import time
import unicodedata

import duckdb
import openpyxl
from splink import Linker, SettingsCreator, block_on
import splink.comparison_library as cl
from splink.backends.duckdb import DuckDBAPI


def norm(value):
    if value is None:
        return None
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    text = "".join(c if c.isalpha() else " " for c in text)
    text = " ".join(text.split())
    return text or None


def dob(value):
    if value is None or value == "":
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).strftime("%Y-%m-%d")
        except ValueError:
            pass
    return None


def married(value):
    text = norm(value)
    if text is None:
        return None
    for prefix in ("VDA DE ", "VIUDA DE ", "DE "):
        if text.startswith(prefix):
            return text[len(prefix):] or None
    return text


def main(registry_csv, names_xlsx, out_csv):
    t0 = time.time()
    con = duckdb.connect()
    con.execute(f"""
        CREATE TABLE reg AS SELECT
            cui AS unique_id,
            nullif(upper(strip_accents(primer_nombre)), '') AS primer_nombre,
            nullif(upper(strip_accents(segundo_nombre)), '') AS segundo_nombre,
            nullif(upper(strip_accents(primer_apellido)), '') AS primer_apellido,
            nullif(upper(strip_accents(segundo_apellido)), '') AS segundo_apellido,
            nullif(regexp_replace(upper(strip_accents(apellido_casada)), '^(VDA\\. )?DE ', ''), '') AS apellido_casada,
            fecha_nacimiento
        FROM read_csv('{registry_csv}', header = true, all_varchar = true)
    """)
    persons = con.execute("SELECT count(*) FROM reg").fetchone()[0]

    book = openpyxl.load_workbook(names_xlsx, read_only=True)
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = [norm(h) for h in next(rows)]
    col = {h: i for i, h in enumerate(header) if h}
    queries = []
    for row in rows:
        if row is None or all(v is None for v in row):
            continue
        get = lambda name: row[col[name]] if name in col and col[name] < len(row) else None
        given = " ".join(filter(None, [norm(get("PRIMER NOMBRE")), norm(get("SEGUNDO NOMBRE")), norm(get("TERCER NOMBRE"))])).split()
        given = [("MARIA" if g in ("MA", "M") else g) for g in given]
        queries.append({
            "unique_id": str(get("REFERENCIA")),
            "primer_nombre": given[0] if given else None,
            "segundo_nombre": given[1] if len(given) > 1 else None,
            "primer_apellido": norm(get("PRIMER APELLIDO")),
            "segundo_apellido": norm(get("SEGUNDO APELLIDO")),
            "apellido_casada": married(get("APELLIDO DE CASADA")),
            "fecha_nacimiento": dob(get("FECHA DE NACIMIENTO")),
        })
    con.execute("CREATE TABLE q(unique_id VARCHAR, primer_nombre VARCHAR, segundo_nombre VARCHAR,"
                " primer_apellido VARCHAR, segundo_apellido VARCHAR, apellido_casada VARCHAR,"
                " fecha_nacimiento VARCHAR)")
    columns = ["unique_id", "primer_nombre", "segundo_nombre", "primer_apellido", "segundo_apellido",
               "apellido_casada", "fecha_nacimiento"]
    con.executemany("INSERT INTO q VALUES (?, ?, ?, ?, ?, ?, ?)", [[q[c] for c in columns] for q in queries])
    query_order = [q["unique_id"] for q in queries]
    t_load = time.time()

    db_api = DuckDBAPI(connection=con)
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("primer_nombre").configure(term_frequency_adjustments=True),
            cl.NameComparison("segundo_nombre"),
            cl.NameComparison("primer_apellido").configure(term_frequency_adjustments=True),
            cl.NameComparison("segundo_apellido").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("fecha_nacimiento", input_is_string=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("primer_apellido", "primer_nombre"),
            block_on("segundo_apellido", "primer_nombre"),
            block_on("fecha_nacimiento", "primer_apellido"),
            block_on("fecha_nacimiento", "segundo_apellido"),
            block_on("fecha_nacimiento", "primer_nombre"),
        ],
        probability_two_random_records_match=1.0 / max(persons, 1),
        retain_matching_columns=False,
    )
    q_sdf = db_api.register("q", table_name="consulta")
    reg_sdf = db_api.register("reg", table_name="registro")
    linker = Linker([q_sdf, reg_sdf], settings)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    # EM on a sample of pairs: without it, training on an 18-million registry
    # does not finish in reasonable time on two cores.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("fecha_nacimiento"), max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("primer_apellido", "segundo_apellido", "primer_nombre"), max_pairs=2e6)
    t_train = time.time()

    pred = linker.inference.predict(threshold_match_probability=0.01)
    pairs = con.execute(
        f"SELECT unique_id_l, unique_id_r, source_dataset_l, match_probability FROM {pred.physical_name}"
    ).fetchall()
    t_predict = time.time()

    query_ids = set(query_order)
    best = {}
    for left, right, source_l, p in pairs:
        left, right, p = str(left), str(right), float(p)
        q, reg = (left, right) if source_l == "consulta" else (right, left)
        if q not in query_ids:
            continue
        best.setdefault(q, []).append((p, reg))
    with open(out_csv, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["referencia", "resultado", "cui", "probabilidad"])
        for q in query_order:
            cands = sorted(best.get(q, []), reverse=True)
            strong = [c for c in cands if c[0] >= 0.5]
            if cands and cands[0][0] >= 0.995 and len(strong) == 1:
                w.writerow([q, "ENCONTRADO", cands[0][1], cands[0][0]])
            elif strong:
                w.writerow([q, "AMBIGUO", "", strong[0][0]])
            else:
                w.writerow([q, "NO_ENCONTRADO", "", cands[0][0] if cands else 0])
    t_end = time.time()
    print(json.dumps({"load_s": round(t_load - t0, 2), "train_s": round(t_train - t_load, 2),
                      "predict_s": round(t_predict - t_train, 2), "total_s": round(t_end - t0, 2),
                      "pairs": len(pairs)}), file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:4])
