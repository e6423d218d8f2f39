#!/usr/bin/env bash
# Builds the Debian packages padron-server and padron-agent with cargo-deb
# into target/debian/.
#
# Usage: build.sh [--profile release|dev] [--no-build]
#   --profile release (default): what ships; builds the release binaries
#             first (cargo build --release --workspace --bins: ~10 min cold
#             on 2 cores, so CI does not do it).
#   --profile dev: packages the dev binaries that packaging/dev/test.sh has
#             already built; the package test (test.sh here) uses this.
#   --no-build: do not run cargo build at all (the binaries must exist).
# cargo-deb comes from packaging/dev/setup.sh (cargo install --locked).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
say() { echo "deb/build.sh: $*"; }
# shellcheck disable=SC1091
command -v cargo >/dev/null 2>&1 || source "$HOME/.cargo/env"

profile=release
build=1
while (($#)); do
    case "$1" in
    --profile)
        profile="${2:?--profile needs release or dev}"
        shift 2
        ;;
    --no-build)
        build=0
        shift
        ;;
    *)
        say "unknown argument $1" >&2
        exit 2
        ;;
    esac
done
case "$profile" in
release) dir=release ;;
dev) dir=debug ;;
*)
    say "--profile is release or dev, not $profile" >&2
    exit 2
    ;;
esac

command -v cargo-deb >/dev/null || {
    say "cargo-deb is missing: run packaging/dev/setup.sh (cargo install cargo-deb --locked)" >&2
    exit 1
}

if ((build)); then
    if [[ "$profile" == release ]]; then
        cargo build --release --workspace --bins --locked
    else
        cargo build --workspace --bins --locked
    fi
fi
for bin in padron-server padron-agent; do
    [[ -x "target/$dir/$bin" ]] || {
        say "target/$dir/$bin is not built" >&2
        exit 1
    }
done

# `--help` of every command, rendered into /usr/share/doc/padron-server.
mkdir -p target/deb-doc
help_file=target/deb-doc/padron-server-help.txt
server="target/$dir/padron-server"
subcommands() {
    # The names under "Commands:" in clap's help, without `help`.
    "$server" "$@" --help | awk '/^Commands:/ {on=1; next} on && /^$/ {exit} on && /^  [a-z]/ {print $1}' |
        grep -vx help || true
}
{
    echo "padron-server $("$server" --version | awk '{print $2}'): every command's --help"
    echo
    COLUMNS=100 "$server" --help
    for cmd in $(subcommands); do
        printf '\n========== padron-server %s ==========\n\n' "$cmd"
        COLUMNS=100 "$server" "$cmd" --help
        for sub in $(subcommands "$cmd"); do
            printf '\n---------- padron-server %s %s ----------\n\n' "$cmd" "$sub"
            COLUMNS=100 "$server" "$cmd" "$sub" --help
        done
    done
} >"$help_file"

mkdir -p target/debian
# The shipped packages: xz. The test's dev packages: fast gzip (xz over the
# large dev binaries costs CI time and proves nothing more). The system's
# compressors: cargo-deb's built-in ones took 2 minutes a package here,
# gzip/xz 1-3 seconds.
compress=(--compress-system)
[[ "$profile" == dev ]] && compress+=(-Z gz --fast)
for pkg in padron-server padron-agent; do
    rm -f target/debian/"${pkg}"_*.deb
    cargo deb --no-build --profile "$profile" -p "$pkg" --output target/debian \
        --strip --no-dbgsym --no-separate-debug-symbols "${compress[@]}" --quiet
done
ls -l target/debian/*.deb | sed 's/^/deb\/build.sh: /'
