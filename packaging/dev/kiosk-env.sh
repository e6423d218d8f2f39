# Sourced by screenshots.sh and packaging/bench/kiosk.sh: a throwaway Padrón
# installation for the kiosk (server on loopback, one enrolled workstation,
# a test eID authority with Ana, coordinator, and Pedro, user), pcscd with
# vpcd, and an Xvfb display. Everything lives under $KIOSK_DIR and is
# stopped by kiosk_env_stop (the callers trap it).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$REPO/target/debug"
mkdir -p "$REPO/target"
KIOSK_DIR="${KIOSK_DIR:-$(mktemp -d "$REPO/target/kiosk.XXXXXX")}"
KIOSK_PIDS=()
say() { echo "kiosk: $*"; }

kiosk_env_stop() {
    local pid
    for pid in "${KIOSK_PIDS[@]:-}"; do
        [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
    done
    for pid in "${KIOSK_PIDS[@]:-}"; do
        [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true
    done
    bash "$REPO/packaging/dev/pcscd.sh" stop >/dev/null 2>&1 || true
}

# Puts the card in directory $1 into vpcd slot $2 (0 or 1), waits until
# pcscd shows it; echoes its pid.
insert_card() {
    local port=$((35963 + $2)) pid i
    "$BIN/padron-card" run --card "$1" --vpcd "127.0.0.1:$port" >>"$KIOSK_DIR/cards.log" 2>&1 &
    pid=$!
    for i in $(seq 1 100); do
        "$BIN/padron-agent" card info --reader "Virtual PCD 00 0$2" >/dev/null 2>&1 && break
        sleep 0.1
    done
    echo "$pid"
}

kiosk_env_start() {
    bash "$REPO/packaging/dev/setup.sh" >/dev/null
    say "building the binaries (dev profile)"
    # The whole workspace's feature set, as the tests build it (a `-p` build
    # would rebuild the dependencies with other features).
    (cd "$REPO" && cargo build -q --workspace --bins)
    # One pcscd with two vpcd slots serves every card user on this machine:
    # hold the lock the tests take (drivers/src/testbed.rs), so a screenshot
    # run and a test run never put cards in the same slot.
    exec {KIOSK_LOCK_FD}>"${TMPDIR:-/tmp}/padron-pcscd-tests.lock"
    say "waiting for the card test bed"
    flock "$KIOSK_LOCK_FD"
    # pcscd must not inherit the lock's descriptor: a daemon holding it
    # would keep every other card user waiting after this run ends.
    bash "$REPO/packaging/dev/pcscd.sh" start {KIOSK_LOCK_FD}>&-
    local data="$KIOSK_DIR/server"
    say "installation in $KIOSK_DIR"
    "$BIN/padron-server" init --data "$data" >/dev/null
    "$BIN/padron-server" institution add --data "$data" --code MIDES --name "Ministerio de Desarrollo Social" >/dev/null
    "$BIN/padron-server" agreement set --data "$data" --institution MIDES --from "$(date -u +%Y)-01-01" --to "$(( $(date -u +%Y) + 1 ))-12-31" >/dev/null
    "$BIN/padron-server" coordinator add --data "$data" --institution MIDES --cui 1234567890101 --name "Ana Lucía López Pérez" >/dev/null
    "$BIN/padron-card" ca init --country GT --out "$KIOSK_DIR/eid-ca" >/dev/null
    "$BIN/padron-server" trust add-eid-root --data "$data" "$KIOSK_DIR/eid-ca/ca.crt.pem" >/dev/null
    "$BIN/padron-card" issue --ca "$KIOSK_DIR/eid-ca" --cui 1234567890101 --given "ANA LUCÍA" --surnames "LÓPEZ PÉREZ" --algorithm p256 --out "$KIOSK_DIR/ana" >/dev/null
    "$BIN/padron-card" issue --ca "$KIOSK_DIR/eid-ca" --cui 9876543220101 --given "PEDRO" --surnames "XOL CAAL" --algorithm p256 --out "$KIOSK_DIR/pedro" >/dev/null
    "$BIN/padron-server" registry generate --persons 5000 --seed 7 --out "$KIOSK_DIR/registro.csv" >/dev/null
    "$BIN/padron-server" registry import --data "$data" "$KIOSK_DIR/registro.csv" >/dev/null
    "$BIN/padron-server" agreement programmes --data "$data" --institution MIDES \
        --programme "Bolsa Social" --programme "Bono Social" --programme "Comedores Sociales" >/dev/null
    printf '\n[service_desk]\ncontact = "Servicios electrónicos del registro · 2413-0000 · soporte@registro.example"\n' >>"$data/server.toml"
    "$BIN/padron-server" serve --data "$data" --listen 127.0.0.1:0 >"$KIOSK_DIR/serve.out" 2>"$KIOSK_DIR/serve.log" &
    KIOSK_PIDS+=($!)
    local i url=""
    for i in $(seq 1 100); do
        url="$(sed -n 's/^padron-server listening on //p' "$KIOSK_DIR/serve.out")"
        [[ -n "$url" ]] && break
        sleep 0.1
    done
    [[ -n "$url" ]] || { say "the server did not start" >&2; cat "$KIOSK_DIR/serve.log" >&2; return 1; }
    url="${url/127.0.0.1/localhost}"
    "$BIN/padron-server" workstation enroll --data "$data" --institution MIDES --site "Oficina central" --out "$KIOSK_DIR/ws" --server-url "$url" >/dev/null
    KIOSK_CONFIG="$KIOSK_DIR/ws/agent.toml"
    echo 'card_reader = "Virtual PCD 00 00"' >>"$KIOSK_CONFIG"
    say "server $url; agent config $KIOSK_CONFIG"

    # Pedro is a user of MIDES: Ana adds him with her card, through the CLI.
    local ana
    ana="$(insert_card "$KIOSK_DIR/ana" 0)"
    PADRON_PIN=123456 "$BIN/padron-agent" --config "$KIOSK_CONFIG" users add --cui 9876543220101 \
        --name "Pedro Xol Caal" --email pedro.xol@mides.gob.gt --phone "5555 1234" \
        --department "Dirección de Programas Sociales" --post Analista --programme "Bolsa Social" >/dev/null
    kill "$ana"; wait "$ana" 2>/dev/null || true

    export XDG_RUNTIME_DIR="$KIOSK_DIR/xdg"
    mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
    export DISPLAY=":${KIOSK_DISPLAY:-77}"
    Xvfb "$DISPLAY" -screen 0 "${KIOSK_SCREEN:-1920x1080}x24" -nolisten tcp >"$KIOSK_DIR/xvfb.log" 2>&1 &
    KIOSK_PIDS+=($!)
    for i in $(seq 1 50); do
        xdotool getdisplaygeometry >/dev/null 2>&1 && break
        sleep 0.1
    done
    say "Xvfb on $DISPLAY"
}

# Waits up to $2 seconds (default 30) for file $1.
wait_file() {
    local i
    for i in $(seq 1 $((${2:-30} * 10))); do
        [[ -s "$1" ]] && return 0
        sleep 0.1
    done
    say "timed out waiting for $1" >&2
    return 1
}

# Types $1 then Enter into the kiosk window (real X key events).
type_in_window() {
    local win
    win="$(xdotool search --name '^Padr' | head -n1)"
    xdotool windowfocus --sync "$win" 2>/dev/null || xdotool windowfocus "$win"
    xdotool type --delay 40 "$1"
    xdotool key Return
}
