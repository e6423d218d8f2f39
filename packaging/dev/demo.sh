#!/usr/bin/env bash
# Padrón's main job, end to end, on embedded defaults (SQLite, generated
# certificates), on a fresh Debian machine: set up, build, create a data
# directory, start the server, enrol a workstation and talk to the server as
# that workstation; then show the refusals an attacker meets.
# Idempotent: each run starts from a clean demo directory. Prints each step.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
DEMO="${PADRON_DEMO_DIR:-$REPO/demo-data}"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# Prints the command as one would type it (arguments with spaces quoted,
# paths relative to the repository), then runs it.
run() {
    local shown="\$" arg
    for arg in "$@"; do
        arg="${arg#"$REPO"/}"
        [[ "$arg" == *" "* ]] && arg="\"$arg\""
        shown+=" $arg"
    done
    echo "$shown"
    "$@"
}

step "Preparing the machine (system packages, Rust toolchain)"
bash packaging/dev/setup.sh
# shellcheck disable=SC1091
command -v cargo >/dev/null 2>&1 || source "$HOME/.cargo/env"

step "Building padron-server and padron-agent"
cargo build --workspace --bins --locked
BIN="$REPO/target/debug"
SERVER="$BIN/padron-server"
AGENT="$BIN/padron-agent"

rm -rf "$DEMO"
mkdir -p "$DEMO"
DATA="$DEMO/server"

step "1. The registry admin creates the server's data directory"
run "$SERVER" init --data "$DATA" --hostname localhost

step "2. Registers an institution under agreement and its coordinator"
run "$SERVER" institution add --data "$DATA" --code MIDES --name "Ministerio de Desarrollo Social"
# No agreement in force, no service: the agreement is set explicitly.
run "$SERVER" agreement set --data "$DATA" --institution MIDES --from "$(date -u +%Y)-01-01" --to "$(( $(date -u +%Y) + 1 ))-12-31"
run "$SERVER" coordinator add --data "$DATA" --institution MIDES --cui "1234 56789 0101" --name "Ana Lucía López Pérez"

step "3. Starts the server (mutual TLS: only enrolled workstations get in)"
# Created first: the background shell opens them only after this one moves on.
: >"$DEMO/server.out"
: >"$DEMO/server.log"
"$SERVER" serve --data "$DATA" --listen 127.0.0.1:0 >"$DEMO/server.out" 2>"$DEMO/server.log" &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
PORT=""
for _ in $(seq 1 100); do
    PORT="$(sed -n 's|^padron-server listening on https://127.0.0.1:||p' "$DEMO/server.out")"
    [[ -n "$PORT" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DEMO/server.log"; exit 1; }
    sleep 0.1
done
[[ -n "$PORT" ]] || { echo "the server did not start"; cat "$DEMO/server.log"; exit 1; }
URL="https://localhost:$PORT"
echo "server listening on $URL (log: ${DEMO#"$REPO"/}/server.log)"

step "4. Enrols a workstation of MIDES: the bundle the agent needs"
run "$SERVER" workstation enroll --data "$DATA" --institution MIDES --site "Oficina central, zona 1" \
    --server-url "$URL" --out "$DEMO/workstation"

step "5. The workstation asks the server who it is"
run "$AGENT" --config "$DEMO/workstation/agent.toml" status

step "6. A workstation that keeps its key: CSR enrolment"
run "$AGENT" enroll-request --out "$DEMO/station-2"
run "$SERVER" workstation enroll --data "$DATA" --institution MIDES --site "Sede Quetzaltenango" \
    --csr "$DEMO/station-2/workstation.csr" --server-url "$URL" --out "$DEMO/station-2"
run "$AGENT" --config "$DEMO/station-2/agent.toml" status

step "7. Without a workstation certificate the TLS handshake fails (curl)"
if curl --silent --show-error --cacert "$DATA/pki/server-ca.crt" "$URL/v1/health"; then
    echo "UNEXPECTED: the server answered a client without certificate"; exit 1
else
    echo "refused, as it must be; the server logged why:"
    sleep 0.2
    grep "TLS handshake refused" "$DEMO/server.log" | tail -n 1 | sed 's/^.*WARN //'
fi

step "8. The admin revokes station 2; it is refused at once, without a restart"
run "$SERVER" workstation revoke --data "$DATA" --id 2 --reason "equipo reasignado"
if "$AGENT" --config "$DEMO/station-2/agent.toml" status; then
    echo "UNEXPECTED: a revoked workstation was served"; exit 1
fi
run "$SERVER" workstation list --data "$DATA"

step "9. Every admin action is in the hash-chained audit log"
run "$SERVER" audit list --data "$DATA"
run "$SERVER" audit verify --data "$DATA"

step "10. The coordinator's national eID card: a virtual PIV card in a real pcscd"
# The card test bed (one pcscd, two vpcd slots) is shared with the tests:
# hold their lock (drivers/src/testbed.rs) while the demo's cards are in.
exec {DEMO_LOCK_FD}>"${TMPDIR:-/tmp}/padron-pcscd-tests.lock"
flock "$DEMO_LOCK_FD"
# The daemons started from here must not inherit the lock's descriptor: one
# that outlived the demo would hold the tests' lock for ever.
bash packaging/dev/pcscd.sh start {DEMO_LOCK_FD}>&-
CARD_PID=""
trap 'kill "$SERVER_PID" 2>/dev/null || true; [[ -n "$CARD_PID" ]] && kill "$CARD_PID" 2>/dev/null; bash packaging/dev/pcscd.sh stop >/dev/null || true' EXIT
CARD="$BIN/padron-card"
# Waits until pcscd reports reader 0 in the given state.
wait_reader() {
    for _ in $(seq 1 50); do
        pcsc_scan -c -t 1 2>/dev/null | grep -A2 "Reader 0" | grep -q "$1" && return 0
        sleep 0.2
    done
    echo "reader 0 never showed: $1"
    exit 1
}
# Puts the card in DIR into reader 0, taking out the one there first.
card_in() {
    if [[ -n "$CARD_PID" ]]; then
        kill "$CARD_PID"
        wait "$CARD_PID" 2>/dev/null || true
        CARD_PID=""
        wait_reader "Card removed"
    fi
    "$CARD" run --card "$1" >"$DEMO/card.log" 2>&1 {DEMO_LOCK_FD}>&- &
    CARD_PID=$!
    wait_reader "Card inserted"
}
run "$CARD" ca init --out "$DEMO/eid-ca" --country GT
run "$CARD" issue --ca "$DEMO/eid-ca" --cui "1234 56789 0101" --given "ANA LUCÍA" --surnames "LÓPEZ PÉREZ" \
    --algorithm p256 --out "$DEMO/card-ana"
card_in "$DEMO/card-ana"
run pcsc_scan -r
echo "$ pkcs11-tool --module opensc-pkcs11.so --list-objects --type cert   (OpenSC, a stack Padrón did not write)"
pkcs11-tool --module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so --list-objects --type cert 2>&1 | grep -E "Certificate Object|label|subject"
echo "Consulta Social: lote 7, programa Bolsa Social" >"$DEMO/message.txt"
echo "$ pkcs11-tool --module opensc-pkcs11.so --login --pin 123456 --sign --id 01 -m ECDSA-SHA256 ..."
pkcs11-tool --module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so --login --pin 123456 --sign --id 01 \
    -m ECDSA-SHA256 --signature-format openssl -i "$DEMO/message.txt" -o "$DEMO/message.sig" >"$DEMO/pkcs11-tool.log" 2>&1 \
    || { cat "$DEMO/pkcs11-tool.log"; exit 1; }
cat "$DEMO/pkcs11-tool.log"
openssl x509 -in "$DEMO/card-ana/auth.crt.pem" -pubkey -noout >"$DEMO/auth.pub.pem"
run openssl dgst -sha256 -verify "$DEMO/auth.pub.pem" -signature "$DEMO/message.sig" "$DEMO/message.txt"
run "$AGENT" card info

step "11. The registry trusts the eID authority; the coordinator logs in with the card"
run "$SERVER" trust add-eid-root --data "$DATA" "$DEMO/eid-ca/ca.crt.pem"
export PADRON_PIN=123456   # scripted; at a real workstation the agent asks for it
AGENT_CFG="$DEMO/workstation/agent.toml"
run "$AGENT" --config "$AGENT_CFG" login

step "12. Adds a user (alta), signed by the card's signature key; updates and lists"
run "$AGENT" --config "$AGENT_CFG" users add --cui "9876 54322 0101" --name "Pedro Xol Caal" \
    --email pedro.xol@mides.gob.gt --phone "5555 1234" --department "Dirección de Programas Sociales" \
    --post "Analista" --programme "Bolsa Social"
run "$AGENT" --config "$AGENT_CFG" users update --cui 9876543220101 --post "Jefe de sección"
run "$AGENT" --config "$AGENT_CFG" users list

step "13. Refusals: adding him twice; a card the registry does not trust"
"$AGENT" --config "$AGENT_CFG" users add --cui 9876543220101 --name "Pedro Xol Caal" \
    --email pedro.xol@mides.gob.gt --phone "5555 1234" --department "D" --post "P" --programme "Bolsa Social" || true
run "$CARD" ca init --out "$DEMO/other-ca" --country GT
run "$CARD" issue --ca "$DEMO/other-ca" --cui "1234 56789 0101" --given "ANA LUCÍA" --surnames "LÓPEZ PÉREZ" --out "$DEMO/card-forged"
card_in "$DEMO/card-forged"
"$AGENT" --config "$AGENT_CFG" login || true

step "14. Requests and their states; the audit trail re-verifies every card signature"
card_in "$DEMO/card-ana"
run "$AGENT" --config "$AGENT_CFG" requests list
run "$SERVER" audit verify --data "$DATA"
run "$SERVER" audit export --data "$DATA" --out "$DEMO/auditoria.xlsx"

step "15. The civil registry: a synthetic one (20,000 persons) imported into the server"
run "$SERVER" registry generate --persons 20000 --seed 42 --out "$DEMO/registro.csv"
run "$SERVER" registry import --data "$DATA" "$DEMO/registro.csv"

step "16. Pedro (the user just added) fills a Consulta Social by CUI from his CSV and submits it"
{
    echo "Referencia,CUI,Programa"
    awk -F, 'NR > 1 && NR <= 31 { printf "BS-%03d,%s,Bolsa Social\n", NR - 1, $1 }' "$DEMO/registro.csv"
    echo "BS-031,1234-56788-0101,Bolsa Social"
    echo "BS-032,2000 00004 0101,Bolsa Social"   # valid, but nobody has it
} >"$DEMO/beneficiarios.csv"
run "$AGENT" query-template --from-csv "$DEMO/beneficiarios.csv" --out "$DEMO/beneficiarios.xlsx"
run "$CARD" issue --ca "$DEMO/eid-ca" --cui "9876 54322 0101" --given "PEDRO" --surnames "XOL CAAL" --out "$DEMO/card-pedro"
card_in "$DEMO/card-pedro"
run "$AGENT" --config "$AGENT_CFG" query submit "$DEMO/beneficiarios.xlsx" --wait --out "$DEMO/beneficiarios-resultado.xlsx"
run "$AGENT" --config "$AGENT_CFG" users list || true

step "17. Reports: the coordinator's view of Pedro's queries; the registry's month"
# The registry's day (America/Guatemala), as the server counts days.
TODAY="$(TZ=America/Guatemala date +%F)"
card_in "$DEMO/card-ana"
run "$AGENT" --config "$AGENT_CFG" report user --cui 9876543220101 --from "$TODAY" --to "$TODAY" \
    --out "$DEMO/actividad-pedro.xlsx"
run "$SERVER" report usage --data "$DATA" --month "$(TZ=America/Guatemala date +%Y-%m)" --out "$DEMO/consumo.xlsx"
run "$SERVER" institution show --data "$DATA" MIDES

printf '\n\033[1mDemo complete.\033[0m Data in %s; the server, the card and pcscd stop now.\n' "${DEMO#"$REPO"/}"
