#!/usr/bin/env bash
# The shared store and the cluster, measured (tests/examples/cluster_bench.rs):
# store operations per second on SQLite and PostgreSQL (fsync on), and jobs
# per minute with 1 and 3 `serve` nodes on one PostgreSQL queue.
# Usage: packaging/bench/cluster.sh [store|jobs|all]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
bash packaging/dev/setup.sh >/dev/null
cargo build --workspace --bins --examples --locked
target/debug/examples/cluster_bench "${1:-all}"
