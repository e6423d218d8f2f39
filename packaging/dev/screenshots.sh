#!/usr/bin/env bash
# Regenerates docs/screenshots/<size>-<lang>/*.png from the real kiosk in a
# real window under Xvfb, with virtual cards in a real pcscd and a real
# server, at 1366×768 and 1920×1080, in Spanish and English:
# insert card → wrong PIN → PIN → the coordinator's screens (the app's
# documentation tour moves between them) → card removed → the user's
# screens (a workbook with one bad row is pre-checked, uploaded, followed)
# → the server goes away. Each size and language is a fresh installation.
# The app saves each settled screen itself (PADRON_GUI_SCREENSHOTS); this
# script inserts and removes the cards and types the PINs as X key events.
# SIZES and LANGS (space-separated) choose a subset.
set -euo pipefail
HERE="$(dirname "${BASH_SOURCE[0]}")"
SIZES="${SIZES:-1366x768 1920x1080}"
LANGS="${LANGS:-es en}"
OUT="$(cd "$HERE/../.." && pwd)/docs/screenshots"

one_run() {
    local size="$1" lang="$2"
    # shellcheck source=packaging/dev/kiosk-env.sh
    source "$HERE/kiosk-env.sh"
    # EXIT of the subshell, also when a step fails: nothing of a failed run
    # (server, Xvfb, cards, all holding the test bed's lock) may stay behind.
    trap kiosk_env_stop EXIT
    kiosk_env_start
    local shots="$KIOSK_DIR/shots"
    mkdir -p "$shots"

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

    say "$size $lang: a workstation not enrolled yet"
    PADRON_GUI_SIZE="$size" PADRON_GUI_SCREENSHOTS="$shots" \
        "$BIN/padron-agent" --config "$KIOSK_DIR/nowhere/agent.toml" --lang "$lang" gui >"$KIOSK_DIR/gui-unenrolled.log" 2>&1 &
    local unenrolled=$!
    wait_file "$shots/not-enrolled.png"
    kill "$unenrolled"; wait "$unenrolled" 2>/dev/null || true

    say "$size $lang: starting the kiosk window"
    TOUR_CUI="$(sed -n 2p "$KIOSK_DIR/registro.csv" | cut -d, -f1)"
    PADRON_GUI_SIZE="$size" PADRON_GUI_SCREENSHOTS="$shots" PADRON_GUI_TOUR=1 \
        PADRON_GUI_TOUR_WORKBOOK="$KIOSK_DIR/beneficiarios.xlsx" PADRON_GUI_TOUR_CUI="$TOUR_CUI" \
        "$BIN/padron-agent" --config "$KIOSK_CONFIG" --lang "$lang" gui >"$KIOSK_DIR/gui.log" 2>&1 &
    KIOSK_PIDS+=($!)
    wait_file "$shots/insert-card.png"

    say "coordinator: card, a wrong PIN, then the right one"
    local ana pedro
    ana="$(insert_card "$KIOSK_DIR/ana" 0)"
    KIOSK_PIDS+=("$ana")
    wait_file "$shots/pin.png"
    type_in_window 000000
    wait_file "$shots/pin-error.png"
    type_in_window 123456
    wait_file "$shots/coordinator-users-remove.png" 90
    kill "$ana"
    wait_file "$shots/insert-card-removed.png"

    say "user: card, PIN, workbook"
    pedro="$(insert_card "$KIOSK_DIR/pedro" 0)"
    KIOSK_PIDS+=("$pedro")
    sleep 2
    type_in_window 123456
    wait_file "$shots/remove-card.png" 120

    say "the card out, in again, the PIN: a new session"
    kill "$pedro"
    wait_file "$shots/insert-card.png"
    sleep 1
    pedro="$(insert_card "$KIOSK_DIR/pedro" 0)"
    KIOSK_PIDS+=("$pedro")
    sleep 2
    type_in_window 123456
    sleep 3

    say "the server goes away: the open session shows the outage within 30 s"
    kill "${KIOSK_PIDS[0]}"
    wait_file "$shots/user-query-offline.png" 45

    local dir="$OUT/$size-$lang"
    mkdir -p "$dir"
    rm -f "$dir"/*.png
    cp "$shots"/*.png "$dir/"
    say "screenshots in $dir: $(cd "$dir" && ls | tr '\n' ' ')"
}

for size in $SIZES; do
    for lang in $LANGS; do
        ( one_run "$size" "$lang" )
    done
done
