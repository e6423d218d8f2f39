#!/usr/bin/env bash
# Prepares a Debian 12 machine to build and run Padrón: the system packages
# the build and the tests need, and a check of the Rust toolchain.
# Idempotent: installs only what is missing. Run as root (CI and the
# development machines are); prints what it does.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
say() { echo "setup.sh: $*"; }

# Build: pkg-config + libpcsclite-dev for the pcsc crate; gcc for the C in
# SQLite (bundled) and aws-lc; make for jemalloc's (the server's
# allocator, built by tikv-jemalloc-sys). Run and test: curl and openssl
# are the "someone else's client" the end-to-end tests and the demo use.
PACKAGES=(pkg-config libpcsclite-dev gcc make curl openssl ca-certificates)
# The kiosk GUI at run time (winit and glow dlopen X11 and GL; no -dev
# packages are needed to build), Xvfb for a headless display, xdotool to
# type into that real window (screenshots), zenity for the file dialogs when
# no desktop portal runs (rfd falls back to it).
PACKAGES+=(libx11-6 libx11-xcb1 libxcursor1 libxi6 libxrandr2 libxkbcommon0
    libxkbcommon-x11-0 libfontconfig1 libfreetype6 libegl1 libegl-mesa0
    libgl1-mesa-dri libglx-mesa0 xvfb xdotool zenity)
# Operations: systemd-analyze scores the service unit offline
# (packaging/systemd/check.sh; no running systemd needed); age (age-keygen,
# age -d) is the admin's side of encrypted backups in the restore drill.
PACKAGES+=(systemd age)
# PostgreSQL 15 (Debian's) for the shared store: the tests start throwaway
# clusters of their own as the `postgres` user the package creates (initdb
# refuses root); HAProxy for the cluster demo (packaging/dev/cluster.sh).
PACKAGES+=(postgresql postgresql-client haproxy)
# promtool (Debian's prometheus package) lints the metrics exposition in the
# end-to-end tests; python3-venv holds schemathesis, the API contract test.
PACKAGES+=(prometheus python3-venv)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    if [[ "$(id -u)" != 0 ]]; then
        say "missing packages (${missing[*]}): install them as root" >&2
        exit 1
    fi
    say "installing: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    say "packages present: ${PACKAGES[*]}"
fi

# Schemathesis (PyPI), the API contract test's client (tests/tests/api_contract.rs),
# in a virtual environment of its own, pinned; reinstalled only when the
# version differs.
SCHEMATHESIS_VERSION=4.32.5
SCHEMATHESIS_VENV="${PADRON_SCHEMATHESIS_VENV:-/opt/padron-dev/schemathesis}"
if [[ "$("$SCHEMATHESIS_VENV/bin/schemathesis" --version 2>/dev/null)" != *"$SCHEMATHESIS_VERSION"* ]]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION into $SCHEMATHESIS_VENV"
    python3 -m venv "$SCHEMATHESIS_VENV"
    "$SCHEMATHESIS_VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
else
    say "schemathesis $SCHEMATHESIS_VERSION present in $SCHEMATHESIS_VENV"
fi

# Smart-card stack (pcscd, vpcd, OpenSC, SoftHSM2): installed here, started
# by the tests and the demo that need it.
bash "$REPO/packaging/dev/pcscd.sh" install

if ! command -v cargo >/dev/null 2>&1; then
    # shellcheck disable=SC1091
    [[ -f "$HOME/.cargo/env" ]] && source "$HOME/.cargo/env"
fi
if ! command -v cargo >/dev/null 2>&1; then
    say "cargo not found: Padrón needs Rust 1.95 (rustup, https://rustup.rs)" >&2
    exit 1
fi
say "$(cargo --version)"

# cargo-deb builds the Debian packages (packaging/deb/build.sh; the package
# test in packaging/deb/test.sh). Built from crates.io once, then kept.
if ! command -v cargo-deb >/dev/null 2>&1; then
    say "installing cargo-deb (cargo install --locked)"
    cargo install cargo-deb --locked --quiet
else
    say "$(cargo-deb --version 2>/dev/null || echo cargo-deb) present"
fi
