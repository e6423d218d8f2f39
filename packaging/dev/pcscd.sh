#!/usr/bin/env bash
# A real PC/SC stack for development and tests, without systemd or udev:
# pcscd with vsmartcard's vpcd reader driver (readers "Virtual PCD 00 00" and
# "00 01", fed by `padron-card run` over TCP 35963/35964), OpenSC, pcsc-tools
# and SoftHSM2.
#
#   packaging/dev/pcscd.sh install   install the packages that are missing
#   packaging/dev/pcscd.sh start     install, then start pcscd unless one runs
#   packaging/dev/pcscd.sh stop      stop the pcscd this script started
#   packaging/dev/pcscd.sh status    say whether pcscd runs and who started it
#
# Idempotent: running `start` twice starts one pcscd; `stop` leaves a pcscd it
# did not start alone. Needs root for apt-get (CI and dev machines run as root).
set -euo pipefail

PACKAGES=(pcscd vsmartcard-vpcd opensc pcsc-tools libpcsclite-dev softhsm2)
STATE_DIR="${PADRON_PCSCD_STATE:-/run/padron-pcscd}"
PID_FILE="$STATE_DIR/pcscd.pid"
LOG_FILE="$STATE_DIR/pcscd.log"
# pcscd's control socket: present while a pcscd is serving.
PCSCD_SOCKET=/run/pcscd/pcscd.comm
# The pid pcscd records for itself.
PCSCD_PID=/run/pcscd/pcscd.pid

say() { echo "pcscd.sh: $*"; }

missing_packages() {
    local pkg missing=()
    for pkg in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    echo "${missing[@]:-}"
}

install_packages() {
    local missing
    missing="$(missing_packages)"
    if [[ -z "${missing// /}" ]]; then
        say "packages present: ${PACKAGES[*]}"
        return 0
    fi
    if [[ "$(id -u)" != 0 ]]; then
        say "missing packages ($missing) and not root: install them with apt-get as root" >&2
        return 1
    fi
    say "installing: $missing"
    # A fresh machine's package lists are empty or stale: update once first.
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
}

# The pid of a running pcscd, if any.
running_pcscd() {
    local comm
    for comm in /proc/[0-9]*/comm; do
        if [[ "$(cat "$comm" 2>/dev/null)" == pcscd ]]; then
            comm="${comm#/proc/}"
            echo "${comm%/comm}"
            return 0
        fi
    done
}

# Whether vpcd listens on its first port (35963 = 0x8C7B), read from /proc
# rather than by connecting, which vpcd would take for a card insertion.
vpcd_listening() {
    grep -qi ':8C7B 00000000:0000 0A' /proc/net/tcp 2>/dev/null
}

our_pcscd() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid="$(cat "$PID_FILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == pcscd ]]
}

start() {
    install_packages
    if [[ ! -f /etc/reader.conf.d/vpcd ]]; then
        say "/etc/reader.conf.d/vpcd is missing: reinstall vsmartcard-vpcd" >&2
        return 1
    fi
    local pid
    pid="$(running_pcscd)"
    if [[ -n "$pid" ]]; then
        if our_pcscd; then
            say "pcscd already running (pid $pid, started by this script)"
        else
            say "pcscd already running (pid $pid, not started by this script; left alone)"
        fi
        return 0
    fi
    mkdir -p "$STATE_DIR"
    # A pcscd that died uncleanly leaves its socket behind, and a new one refuses to start.
    rm -f "$PCSCD_SOCKET" "$PCSCD_PID"
    say "starting pcscd -f -a (log: $LOG_FILE)"
    # setsid: its own session, so ending the caller's process group (a test
    # runner does) leaves pcscd running for the next caller. setsid may fork,
    # so the pid to remember is the one pcscd writes itself.
    setsid pcscd -f -a >"$LOG_FILE" 2>&1 </dev/null &
    local i
    for i in $(seq 1 50); do
        if [[ -s "$PCSCD_PID" ]]; then
            # pcscd pads its pid file with NUL bytes: keep the digits.
            tr -cd "0-9" <"$PCSCD_PID" >"$PID_FILE"
        fi
        if [[ -S "$PCSCD_SOCKET" ]] && vpcd_listening && our_pcscd; then
            say "pcscd running (pid $(cat "$PID_FILE")), vpcd listening on 35963/35964"
            return 0
        fi
        if (( i > 10 )) && [[ -z "$(running_pcscd)" ]]; then
            say "pcscd exited at once; its log:" >&2
            cat "$LOG_FILE" >&2 || true
            rm -f "$PID_FILE"
            return 1
        fi
        sleep 0.1
    done
    say "pcscd did not come up with vpcd listening on 35963 within 5 s; log: $LOG_FILE" >&2
    return 1
}

stop() {
    if ! our_pcscd; then
        rm -f "$PID_FILE"
        say "no pcscd started by this script is running; nothing to stop"
        return 0
    fi
    local pid i
    pid="$(cat "$PID_FILE")"
    say "stopping pcscd (pid $pid)"
    kill "$pid"
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "pcscd did not stop in 5 s; killing it"
        kill -9 "$pid" || true
    fi
    rm -f "$PID_FILE"
}

status() {
    local pid
    pid="$(running_pcscd)"
    if [[ -z "$pid" ]]; then
        say "pcscd is not running"
    elif our_pcscd; then
        say "pcscd running (pid $pid, started by this script; log: $LOG_FILE)"
    else
        say "pcscd running (pid $pid, not started by this script)"
    fi
}

case "${1:-}" in
    install) install_packages ;;
    start) start ;;
    stop) stop ;;
    status) status ;;
    *)
        echo "usage: $0 install|start|stop|status" >&2
        exit 2
        ;;
esac
