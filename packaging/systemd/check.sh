#!/usr/bin/env bash
# Checks the server's systemd unit without a running systemd:
#   1. `systemd-analyze verify` (syntax, directives, the ExecStart binary);
#   2. `systemd-analyze security --offline=true`: the exposure score must be
#      at most MAX_EXPOSURE (2.0), else this fails and prints the findings.
# Usage: check.sh [UNIT] [BINARY]
#   UNIT    default packaging/systemd/padron-server.service
#   BINARY  the padron-server that ExecStart names; default /usr/bin/padron-server
#           when installed (the package test), else target/debug/padron-server.
#           verify requires ExecStart's binary to exist, so a source checkout's
#           unit is verified from a copy whose ExecStart points at BINARY.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
UNIT="${1:-$REPO/packaging/systemd/padron-server.service}"
MAX_EXPOSURE="${MAX_EXPOSURE:-2.0}"
say() { echo "systemd/check.sh: $*"; }

command -v systemd-analyze >/dev/null || {
    say "systemd-analyze is missing (Debian package systemd; packaging/dev/setup.sh installs it)" >&2
    exit 1
}

BINARY="${2:-}"
if [[ -z "$BINARY" ]]; then
    if [[ -x /usr/bin/padron-server ]]; then
        BINARY=/usr/bin/padron-server
    else
        BINARY="$REPO/target/debug/padron-server"
    fi
fi
[[ -x "$BINARY" ]] || {
    say "$BINARY is not built (cargo build --workspace --bins)" >&2
    exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Same file name: systemd-analyze names the unit after it.
sed "s#^ExecStart=/usr/bin/padron-server#ExecStart=$BINARY#" "$UNIT" >"$work/padron-server.service"
grep -q "^ExecStart=$BINARY " "$work/padron-server.service" || {
    say "$UNIT: ExecStart does not start /usr/bin/padron-server" >&2
    exit 1
}

say "systemd-analyze verify $UNIT"
systemd-analyze verify "$work/padron-server.service"

report="$(systemd-analyze security --offline=true --no-pager "$work/padron-server.service" 2>&1)"
score="$(sed -n 's/^→ Overall exposure level for padron-server.service: \([0-9.]*\).*/\1/p' <<<"$report")"
[[ -n "$score" ]] || {
    echo "$report" >&2
    say "no exposure score in systemd-analyze's output" >&2
    exit 1
}
if awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s + 0 <= m + 0) }'; then
    say "exposure $score (at most $MAX_EXPOSURE): ok"
else
    grep '✗' <<<"$report" >&2 || true
    say "exposure $score is above $MAX_EXPOSURE: harden the unit" >&2
    exit 1
fi
