#!/usr/bin/env bash
# Runs every check and test of Padrón: formatting, clippy, unit tests,
# end-to-end tests across processes (server, agent, curl, virtual cards on a
# real pcscd). One dev build shared by everything; no release build.
# This is what CI runs (.ci/run).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
say() { echo "test.sh: $*"; }

bash packaging/dev/setup.sh
# shellcheck disable=SC1091
command -v cargo >/dev/null 2>&1 || source "$HOME/.cargo/env"

# Card tests start pcscd themselves when needed; starting it here once keeps
# them from each paying for it, and the trap stops only what was started.
bash packaging/dev/pcscd.sh start
trap 'bash packaging/dev/pcscd.sh stop >/dev/null 2>&1' EXIT

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "building the binaries the end-to-end tests run"
cargo build --workspace --bins --locked

say "systemd unit: verify and exposure score"
bash packaging/systemd/check.sh

say "Debian packages: build (dev binaries), dpkg -i, init as padron, dpkg --purge"
bash packaging/deb/test.sh

say "doc tests"
cargo test --workspace --doc --locked

if cargo nextest --version >/dev/null 2>&1; then
    say "cargo nextest run --workspace"
    cargo nextest run --workspace --locked --no-fail-fast
else
    say "cargo-nextest not installed; using cargo test"
    cargo test --workspace --locked --no-fail-fast
fi
