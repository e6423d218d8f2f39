#!/usr/bin/env bash
# Measures the kiosk on this machine and writes docs/kiosk-bench.md:
# startup (process start → first frame showing "insert your card", 5 runs,
# windowed), then in kiosk mode (fullscreen) idle CPU over 30 s and memory
# (RSS, peak) on the insert-card screen, the PIN screen with a card in the
# reader, and a coordinator's session, in a real window under Xvfb
# (Mesa llvmpipe, no GPU), with a real server and pcscd. Dev build.
set -euo pipefail
# shellcheck source=packaging/dev/kiosk-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../dev/kiosk-env.sh"
trap kiosk_env_stop EXIT
kiosk_env_start
OUT="$REPO/docs/kiosk-bench.md"
HZ="$(getconf CLK_TCK)"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

startups=()
for run in 1 2 3 4 5; do
    log="$KIOSK_DIR/start-$run.log"
    t0="$(date +%s%3N)"
    PADRON_GUI_TIMING=1 "$BIN/padron-agent" --config "$KIOSK_CONFIG" gui 2>"$log" &
    pid=$!
    wait_file "$log" 20
    for i in $(seq 1 200); do grep -q "ready screen" "$log" && break; sleep 0.05; done
    shown="$(sed -n 's/.*ready screen.*epoch_ms=\([0-9]*\).*/\1/p' "$log" | head -n1)"
    inside="$(sed -n 's/.*ready screen.* after \([0-9]*\) ms.*/\1/p' "$log" | head -n1)"
    startups+=("$((shown - t0))")
    say "run $run: first frame $((shown - t0)) ms after exec ($inside ms after main)"
    kill "$pid"; wait "$pid" 2>/dev/null || true
done

measure() { # $1 = pid, $2 = label
    local before after cpu rss hwm
    sleep 5
    before="$(cpu_ticks "$1")"
    sleep 30
    after="$(cpu_ticks "$1")"
    cpu="$(awk -v d="$((after - before))" -v hz="$HZ" 'BEGIN {printf "%.2f", d / hz / 30 * 100}')"
    rss="$(status_kb "$1" VmRSS)"; hwm="$(status_kb "$1" VmHWM)"
    echo "| $2 | $cpu % | $((rss / 1024)) MiB | $((hwm / 1024)) MiB |"
}

PADRON_GUI_TIMING=1 "$BIN/padron-agent" --config "$KIOSK_CONFIG" --kiosk 2>"$KIOSK_DIR/idle.log" &
gui=$!
KIOSK_PIDS+=("$gui")
sleep 2
row1="$(measure "$gui" "insert your card (no card)")"
card="$(insert_card "$KIOSK_DIR/ana" 0)"
KIOSK_PIDS+=("$card")
row2="$(measure "$gui" "PIN screen (card in the reader)")"
type_in_window 123456
sleep 3
row3="$(measure "$gui" "coordinator logged in, users table")"

sorted="$(printf '%s\n' "${startups[@]}" | sort -n | tr '\n' ' ')"
median="$(printf '%s\n' "${startups[@]}" | sort -n | sed -n 3p)"
{
    echo "# Kiosk benchmark"
    echo
    echo "Measured by \`packaging/bench/kiosk.sh\` on $(date -u +%Y-%m-%d): $(nproc) cores, Xvfb with Mesa"
    echo "llvmpipe (software GL, no GPU), dev build (\`cargo build\`, dependencies at opt-level 2),"
    echo "real \`padron-server\` on loopback and pcscd with a \`padron-card\` virtual card."
    echo
    echo "## Startup to \"insert your card\""
    echo
    echo "From \`exec\` to the end of the first frame that shows the insert-card screen"
    echo "(\`PADRON_GUI_TIMING=1\` prints the time the frame was laid out), 5 runs:"
    echo
    echo "- runs (ms): $sorted"
    echo "- median: **$median ms** (target: under 1 s)"
    echo
    echo "## Idle"
    echo
    echo "Kiosk mode (fullscreen 1280×800). CPU is user+system time of the process over"
    echo "30 s, after 5 s of settling. The kiosk repaints only on input, on a worker's"
    echo "message (the server is re-checked every 30 s) or at a deadline (the idle"
    echo "lock), and waits for card events inside pcscd. The text cursor does not blink"
    echo "(a blinking cursor in the PIN field cost 3 % CPU here). The memory includes"
    echo "Mesa's software renderer (llvmpipe)."
    echo
    echo "| screen | CPU | RSS | peak RSS |"
    echo "|---|---|---|---|"
    echo "$row1"
    echo "$row2"
    echo "$row3"
} >"$OUT"
cat "$OUT"
