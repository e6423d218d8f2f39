#!/usr/bin/env bash
# Consulta Social benchmark: Padrón vs a plain Python baseline (CUI) and
# Splink (names) on one generated registry.
#
#   packaging/bench/run.sh [PERSONS] [extra args]     # PERSONS: 1000000 (default) or 18000000
#
# Needs GNU time (/usr/bin/time) and python3 with venv; the harness creates
# WORK/venv with splink and openpyxl on first use. WORK defaults to
# target/bench-consulta (set BENCH_WORK to change it). Heavy: runs niced.
# BENCH_PROFILE=dev builds and runs the dev profile (target/debug/padron-server):
# minutes instead of a cold release tree; matching figures are the same,
# times are not comparable with release runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
persons="${1:-1000000}"
shift || true
work="${BENCH_WORK:-$PWD/target/bench-consulta}"
if [ ! -x /usr/bin/time ]; then
    echo "GNU time is needed: apt-get install time" >&2
    exit 1
fi
exec nice -n 10 cargo bench --profile "${BENCH_PROFILE:-bench}" -p padron-server --bench consulta -- --persons "$persons" --work "$work" "$@"
