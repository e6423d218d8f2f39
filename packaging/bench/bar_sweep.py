#!/usr/bin/env python3
"""Recall and precision at every bar, from one names job run at the lowest
bar an installation may set.

  bar_sweep.py TRUTH.csv PADRON.xlsx [--identify REGISTRY.csv NAMES.xlsx]

PADRON.xlsx must come from `padron-server match --found-probability 0.9`.
A row is `ENCONTRADO` at a bar `b` when it was `ENCONTRADO` at 0.9 with a
posterior of at least `b`: raising the bar only turns answers into
`AMBIGUO` (the vetoes, a crowded block, an unrelated name, another date,
do not depend on it), so one run gives the whole curve. The workbook
shows posteriors to a tenth of a point, so a row shown at the bar itself
is counted below it: the curve is that of a run at each bar, less the
rows whose posterior is within 0.05 points above the bar (three of 3,000
at 0.99 on 1 M seed 202). With posteriors
that are calibrated, thresholding them is the best rule there is for the
engine's evidence (Neyman–Pearson): the curve is what the engine's
evidence allows, whatever bar is chosen.

TRUTH is read as score_slices.py reads it (`--identify` marks the
benchmark's own sets). Prints, per bar, recall and precision over all rows
and over rows without a date, then the lowest bar that meets precision
≥ 99.7 % (all rows) and ≥ 99.5 % (without a date) with the recall there.
"""
import sys

import score_slices as s

BARS = [0.90, 0.93, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99, 0.9925, 0.995, 0.9975, 0.999]


def curve(truth, answers, keep):
    rows = [t for t in truth if keep(t)]
    identifiable = sum(t["identificable"] == "1" for t in rows)
    out = []
    for bar in BARS:
        found = wrong = right = 0
        for t in rows:
            o, cui, p, _ = answers.get(t["referencia"], ("", "", 0, ""))
            # Posteriors are shown to a tenth of a point: one shown at the
            # bar itself may be either side of it, and counts below.
            if o != "ENCONTRADO" or p <= 100 * bar + 1e-9:
                continue
            found += 1
            if t["existe"] == "1" and cui == t["cui_esperado"]:
                # Right on a row that is not identifiable counts for
                # precision, not for recall.
                right += t["identificable"] == "1"
            else:
                wrong += 1
        recall = right / identifiable if identifiable else 0.0
        precision = (found - wrong) / found if found else 1.0
        out.append((bar, recall, precision, wrong, found))
    return out


def main():
    argv = sys.argv[1:]
    truth = s.identify_option(argv, argv[0])
    answers = s.padron(argv[1])
    low = min((a[2] for a in answers.values() if a[0] == "ENCONTRADO"), default=100)
    if low < 89.95 or low > 99:
        print(f"note: lowest ENCONTRADO posterior is {low} %; run the job at --found-probability 0.9",
              file=sys.stderr)
    every = curve(truth, answers, lambda t: True)
    undated = curve(truth, answers, lambda t: t["con_fecha"] == "0")
    print("| bar | all rows: recall | precision (wrong) | without a date: recall | precision (wrong) |")
    print("|---|---|---|---|---|")
    for a, u in zip(every, undated):
        print(f"| {a[0]:.4g} | {100 * a[1]:.1f}% | {100 * a[2]:.2f}% ({a[3]}) | "
              f"{100 * u[1]:.1f}% | {100 * u[2]:.2f}% ({u[3]}) |")
    ok = [(a, u) for a, u in zip(every, undated) if a[2] >= 0.997 and u[2] >= 0.995]
    if ok:
        a, u = ok[0]
        print(f"\nlowest bar meeting both precision targets: {a[0]:.4g} "
              f"(recall {100 * a[1]:.1f}% all rows, {100 * u[1]:.1f}% without a date)")
    else:
        print("\nno bar meets both precision targets")


if __name__ == "__main__":
    main()
