#!/usr/bin/env bash
# The package test: builds padron-server and padron-agent .debs from the dev
# binaries (no release build), installs them on this machine with dpkg -i,
# checks what they put in place, runs `padron-server init` and `doctor` as
# the package's user, and removes them with dpkg --purge, checking that
# nothing is left behind (files, /var/lib/padron, the padron user).
# Runs as root (CI and the development machines do). Part of
# packaging/dev/test.sh, after the binaries are built.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
say() { echo "deb/test.sh: $*"; }
fail() {
    say "FAILED: $*" >&2
    exit 1
}
[[ "$(id -u)" == 0 ]] || fail "needs root (dpkg -i)"

started=$(date +%s.%N)
bash packaging/deb/build.sh --profile dev --no-build
server_deb=$(ls target/debian/padron-server_*.deb)
agent_deb=$(ls target/debian/padron-agent_*.deb)

# A run that died half-way leaves the packages: remove them first.
for pkg in padron-server padron-agent; do
    if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -qv "not-installed"; then
        say "removing a previous $pkg"
        dpkg --purge "$pkg" >/dev/null
    fi
done
[[ ! -e /var/lib/padron ]] || fail "/var/lib/padron exists before the install: not made by this test, left alone"
! getent passwd padron >/dev/null || fail "a padron user exists before the install: not made by this test"

cleanup() {
    dpkg --purge padron-server padron-agent >/dev/null 2>&1 || true
}
trap cleanup EXIT

say "dpkg -i $(basename "$server_deb") $(basename "$agent_deb")"
dpkg -i "$server_deb" "$agent_deb" >/dev/null
files_server=$(dpkg -L padron-server)
files_agent=$(dpkg -L padron-agent)

# What the server package put in place.
uid=$(id -u padron) || fail "no padron user"
((uid < 1000)) || fail "padron is not a system user (uid $uid)"
[[ "$(getent passwd padron | cut -d: -f7)" == /usr/sbin/nologin ]] || fail "padron has a login shell"
[[ "$(stat -c '%a %U %G' /var/lib/padron)" == "700 padron padron" ]] ||
    fail "/var/lib/padron is $(stat -c '%a %U %G' /var/lib/padron), not 700 padron padron"
[[ -x /usr/bin/padron-server ]] || fail "/usr/bin/padron-server missing"
unit=/lib/systemd/system/padron-server.service
[[ -f "$unit" ]] || unit=/usr/lib/systemd/system/padron-server.service
[[ -f "$unit" ]] || fail "the systemd unit is not installed"
bash packaging/systemd/check.sh "$unit" /usr/bin/padron-server
grep -q "padron-server backup" /usr/share/doc/padron-server/padron-server-help.txt ||
    fail "--help is not rendered into /usr/share/doc/padron-server"
/usr/bin/padron-server --version >/dev/null

# The agent's.
[[ -x /usr/bin/padron-agent ]] || fail "/usr/bin/padron-agent missing"
grep -q '^Exec=padron-agent gui' /usr/share/applications/padron-agent.desktop || fail "desktop entry"
grep -q '^Exec=/usr/lib/padron-agent/kiosk-session' /usr/share/xsessions/padron-kiosk.desktop || fail "X session"
grep -q 'padron-agent --kiosk' /usr/lib/padron-agent/kiosk-session || fail "kiosk session script"
grep -q '^Restart=always' /usr/lib/systemd/user/padron-kiosk.service || fail "kiosk user service"
/usr/bin/padron-agent --version >/dev/null

# The package's user makes the data directory, as the unit expects it.
say "runuser -u padron -- padron-server init --data /var/lib/padron/data"
(cd / && runuser -u padron -- /usr/bin/padron-server init --data /var/lib/padron/data --hostname padron.test) >/dev/null
[[ "$(stat -c '%a %U' /var/lib/padron/data)" == "700 padron" ]] || fail "data directory mode/owner"
[[ "$(stat -c '%a %U' /var/lib/padron/data/pki/workstation-ca.key)" == "600 padron" ]] || fail "key mode/owner"
# Doctor as the service user: only the civil registry is missing (status 1).
set +e
doctor=$(cd / && runuser -u padron -- /usr/bin/padron-server doctor --data /var/lib/padron/data --min-free-mib 1)
status=$?
set -e
((status == 1)) || fail "doctor exited $status:"$'\n'"$doctor"
grep -q '\[AVISO\] REGISTRY' <<<"$doctor" || fail "doctor: $doctor"
if grep -q '\[ERROR\]' <<<"$doctor"; then fail "doctor: $doctor"; fi

# Purge: nothing left.
say "dpkg --purge padron-server padron-agent"
dpkg --purge padron-server padron-agent >/dev/null
trap - EXIT
for pkg in padron-server padron-agent; do
    if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -qv "not-installed"; then
        fail "$pkg still known to dpkg: $(dpkg-query -W -f='${Status}' "$pkg")"
    fi
done
left=()
while read -r path; do
    [[ -z "$path" || -d "$path" ]] && continue
    [[ -e "$path" ]] && left+=("$path")
done <<<"$files_server"$'\n'"$files_agent"
((${#left[@]} == 0)) || fail "left behind: ${left[*]}"
[[ ! -e /var/lib/padron ]] || fail "/var/lib/padron left behind"
! getent passwd padron >/dev/null || fail "the padron user is left behind"
! getent group padron >/dev/null || fail "the padron group is left behind"
for d in /usr/lib/padron-agent /usr/share/doc/padron-server /usr/share/doc/padron-agent; do
    [[ ! -e "$d" ]] || fail "$d left behind"
done
[[ -z "$(find /etc/systemd -name 'padron-server*' 2>/dev/null)" ]] || fail "systemd links left behind"

elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
say "ok: $(basename "$server_deb") $(du -k "$server_deb" | cut -f1) KiB, $(basename "$agent_deb") $(du -k "$agent_deb" | cut -f1) KiB; installed, init and doctor as padron, purged clean in ${elapsed} s"
