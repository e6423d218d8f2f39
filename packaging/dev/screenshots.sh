#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png from the real kiosk in a real window
# under Xvfb, with virtual cards in a real pcscd and a real server:
# insert card → wrong PIN → PIN → the coordinator's screens (the app's
# documentation tour moves between them) → card removed → the user's
# screens (a workbook with one bad row is pre-checked, uploaded, followed;
# then a consulta individual by CUI).
# The app saves each settled screen itself (PADRON_GUI_SCREENSHOTS); this
# script inserts and removes the cards and types the PINs as X key events.
set -euo pipefail
# shellcheck source=packaging/dev/kiosk-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/kiosk-env.sh"
trap kiosk_env_stop EXIT

OUT="$REPO/docs/screenshots"
kiosk_env_start
SHOTS="$KIOSK_DIR/shots"
mkdir -p "$SHOTS"

# A workbook with a bad CUI in row 5 and a row without programme (row 7).
python3 - "$KIOSK_DIR/registro.csv" "$KIOSK_DIR/beneficiarios.csv" <<'PY'
import sys
rows = [l.split(",")[0] for l in open(sys.argv[1]).read().splitlines()[1:31]]
with open(sys.argv[2], "w") as f:
    f.write("Referencia,CUI,Programa\n")
    for i, cui in enumerate(rows, start=1):
        if i == 4: cui = "1234567880101"
        prog = "" if i == 6 else "Bolsa Social"
        f.write(f"B-{i:04},{cui},{prog}\n")
PY
"$BIN/padron-agent" query-template --from-csv "$KIOSK_DIR/beneficiarios.csv" --out "$KIOSK_DIR/beneficiarios.xlsx" >/dev/null

say "starting the kiosk window"
TOUR_CUI="$(sed -n 2p "$KIOSK_DIR/registro.csv" | cut -d, -f1)"
PADRON_GUI_SCREENSHOTS="$SHOTS" PADRON_GUI_TOUR=1 PADRON_GUI_TOUR_WORKBOOK="$KIOSK_DIR/beneficiarios.xlsx" \
    PADRON_GUI_TOUR_CUI="$TOUR_CUI" \
    "$BIN/padron-agent" --config "$KIOSK_CONFIG" gui >"$KIOSK_DIR/gui.log" 2>&1 &
KIOSK_PIDS+=($!)
wait_file "$SHOTS/insert-card.png"

say "coordinator: card, a wrong PIN, then the right one"
ana="$(insert_card "$KIOSK_DIR/ana" 0)"
KIOSK_PIDS+=("$ana")
wait_file "$SHOTS/pin.png"
type_in_window 000000
wait_file "$SHOTS/pin-error.png"
type_in_window 123456
wait_file "$SHOTS/coordinator-users-remove.png" 60
kill "$ana"
wait_file "$SHOTS/insert-card-removed.png"

say "user: card, PIN, workbook"
pedro="$(insert_card "$KIOSK_DIR/pedro" 0)"
KIOSK_PIDS+=("$pedro")
sleep 2
type_in_window 123456
wait_file "$SHOTS/user-jobs.png" 90

say "kiosk mode, in English, with Pedro's card in the reader"
mkdir -p "$SHOTS/en"
PADRON_GUI_SCREENSHOTS="$SHOTS/en" "$BIN/padron-agent" --config "$KIOSK_CONFIG" --kiosk --lang en \
    >"$KIOSK_DIR/gui-en.log" 2>&1 &
en=$!
KIOSK_PIDS+=("$en")
wait_file "$SHOTS/en/pin.png"
cp "$SHOTS/en/pin.png" "$SHOTS/kiosk-en-pin.png"
kill "$en"

say "the server goes away: the open session shows the outage within 30 s"
kill "${KIOSK_PIDS[0]}"
wait_file "$SHOTS/user-jobs-offline.png" 45

mkdir -p "$OUT"
rm -f "$OUT"/*.png
cp "$SHOTS"/*.png "$OUT/"
say "screenshots in docs/screenshots: $(cd "$OUT" && ls | tr '\n' ' ')"
