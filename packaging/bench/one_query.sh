#!/usr/bin/env bash
# Consulta individual benchmark (issue 18): p50/p99 latency through the API
# over mutual TLS, by CUI and by names, 1 and 20 concurrent users, while a
# 50,000-row workbook is processed. Release binaries; writes
# target/bench-one-query/PERSONS.md (the figures kept are in docs/one-query-bench.md).
#
#   packaging/bench/one_query.sh [PERSONS] [SECONDS] [THINK_MS]    # default 1000000 20 1000
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
persons="${1:-1000000}"
seconds="${2:-20}"
think="${3:-1000}"
nice -n 5 cargo build --release --workspace --bin padron-server --bin bench-one-query
mkdir -p target/bench-one-query
target/release/bench-one-query "$persons" "$seconds" "$think" | tee "target/bench-one-query/$persons.md"
