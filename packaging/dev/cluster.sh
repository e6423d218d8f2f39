#!/usr/bin/env bash
# Padrón past one machine, on one machine: a PostgreSQL server, three
# `padron-server serve` nodes sharing it (each with its own data directory:
# the same PKI and server.toml, its own registry copy; uploads and results
# in one shared directory), and HAProxy in TCP mode in front of them (TLS
# passes through: every node sees the workstation's certificate, and a card
# login stays bound to the server certificate the nodes share). Then the
# demo's main job through HAProxy: enrol, card login, add a user, that
# user's Consulta Social; and which node served what.
# Each run starts from a clean directory; everything stops at the end
# (PADRON_CLUSTER_KEEP=1: stays up until Ctrl-C).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
WORK="${PADRON_CLUSTER_DIR:-$REPO/cluster-data}"
PG_PORT="${PADRON_CLUSTER_PG_PORT:-15432}"
LB_PORT="${PADRON_CLUSTER_PORT:-18440}"
NODE_PORTS=(18441 18442 18443)

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { echo "\$ ${*#"$REPO"/}"; "$@"; }

step "Preparing the machine (PostgreSQL, HAProxy, card stack) and building"
bash packaging/dev/setup.sh
# shellcheck disable=SC1091
command -v cargo >/dev/null 2>&1 || source "$HOME/.cargo/env"
cargo build --workspace --bins --locked
BIN="$REPO/target/debug"
SERVER="$BIN/padron-server"
AGENT="$BIN/padron-agent"
CARD="$BIN/padron-card"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"

PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    [[ -n "${CARD_PID:-}" ]] && kill "$CARD_PID" 2>/dev/null
    [[ -d "$WORK/pg/data" ]] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

[[ -d "$WORK/pg/data" ]] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m immediate stop >/dev/null 2>&1 || true
rm -rf "$WORK"
mkdir -p "$WORK/pg" "$WORK/shared"
chown postgres: "$WORK/pg"

step "1. PostgreSQL: a cluster of its own on 127.0.0.1:$PG_PORT (initdb refuses root: as postgres)"
run runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg/data" -A trust -U padron -E UTF8 --locale=C >/dev/null
run runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1" start
run "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U padron padron
DB="postgresql://padron@127.0.0.1:$PG_PORT/padron"

step "2. The first node's data directory, its store in PostgreSQL; the others are copies"
run "$SERVER" init --data "$WORK/node1" --hostname localhost --database "$DB"
# Uploads and results where every node reaches them.
sed -i "1i shared_dir = \"$WORK/shared\"" "$WORK/node1/server.toml"
head -n 3 "$WORK/node1/server.toml"
YEAR="$(date -u +%Y)"
run "$SERVER" institution add --data "$WORK/node1" --code MIDES --name "Ministerio de Desarrollo Social"
run "$SERVER" agreement set --data "$WORK/node1" --institution MIDES --from "$YEAR-01-01" --to "$((YEAR + 1))-12-31"
run "$SERVER" coordinator add --data "$WORK/node1" --institution MIDES --cui "1234 56789 0101" --name "Ana Lucía López Pérez"
run "$SERVER" registry generate --persons 20000 --seed 42 --out "$WORK/registro.csv"
run "$SERVER" registry import --data "$WORK/node1" "$WORK/registro.csv"
cp -a "$WORK/node1" "$WORK/node2"
cp -a "$WORK/node1" "$WORK/node3"

step "3. Three nodes on ${NODE_PORTS[*]}, HAProxy (TCP passthrough) on $LB_PORT"
for i in 1 2 3; do
    PADRON_NODE="node$i" "$SERVER" serve --data "$WORK/node$i" --listen "127.0.0.1:${NODE_PORTS[$((i - 1))]}" \
        >"$WORK/node$i.out" 2>"$WORK/node$i.log" &
    PIDS+=($!)
done
cat >"$WORK/haproxy.cfg" <<CFG
global
    maxconn 2000
defaults
    mode tcp
    timeout connect 2s
    timeout client 120s
    timeout server 120s
frontend padron
    bind 127.0.0.1:$LB_PORT
    default_backend nodes
backend nodes
    balance roundrobin
    server node1 127.0.0.1:${NODE_PORTS[0]} check inter 500ms fall 2 rise 1
    server node2 127.0.0.1:${NODE_PORTS[1]} check inter 500ms fall 2 rise 1
    server node3 127.0.0.1:${NODE_PORTS[2]} check inter 500ms fall 2 rise 1
CFG
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS+=($!)
for i in 1 2 3; do
    for _ in $(seq 1 100); do grep -q "listening on" "$WORK/node$i.out" && break; sleep 0.1; done
    grep -q "listening on" "$WORK/node$i.out" || { cat "$WORK/node$i.log"; exit 1; }
    echo "node$i: $(cat "$WORK/node$i.out")"
done
URL="https://localhost:$LB_PORT"

step "4. A workstation of MIDES, enrolled against the balancer's address"
run "$SERVER" workstation enroll --data "$WORK/node1" --institution MIDES --site "Oficina central, zona 1" \
    --server-url "$URL" --out "$WORK/workstation"
WS="$WORK/workstation"
echo "Six connections through HAProxy, each asking /v1/health:"
for _ in 1 2 3 4 5 6; do
    curl --silent --cacert "$WORK/node1/pki/server-ca.crt" --cert "$WS/workstation.crt" --key "$WS/workstation.key" \
        "$URL/v1/health"
    echo
done

step "5. Card login, a user added, that user's Consulta Social: all through HAProxy"
# pcscd is machine-wide and stays up, as the tests leave it; it must not
# inherit the card-test lock (it would hold it for ever): started first.
bash packaging/dev/pcscd.sh start
exec {LOCK_FD}>"${TMPDIR:-/tmp}/padron-pcscd-tests.lock"
flock "$LOCK_FD"
CARD_PID=""
wait_reader() {
    for _ in $(seq 1 50); do
        pcsc_scan -c -t 1 2>/dev/null | grep -A2 "Reader 0" | grep -q "$1" && return 0
        sleep 0.2
    done
    echo "reader 0 never showed: $1"; exit 1
}
card_in() {
    if [[ -n "$CARD_PID" ]]; then kill "$CARD_PID"; wait "$CARD_PID" 2>/dev/null || true; CARD_PID=""; wait_reader "Card removed"; fi
    "$CARD" run --card "$1" >"$WORK/card.log" 2>&1 &
    CARD_PID=$!
    wait_reader "Card inserted"
}
run "$CARD" ca init --out "$WORK/eid-ca" --country GT
run "$CARD" issue --ca "$WORK/eid-ca" --cui "1234 56789 0101" --given "ANA LUCÍA" --surnames "LÓPEZ PÉREZ" --out "$WORK/card-ana"
run "$SERVER" trust add-eid-root --data "$WORK/node1" "$WORK/eid-ca/ca.crt.pem"
export PADRON_PIN=123456
CFG="$WS/agent.toml"
card_in "$WORK/card-ana"
run "$AGENT" --config "$CFG" login
run "$AGENT" --config "$CFG" users add --cui "9876 54322 0101" --name "Pedro Xol Caal" \
    --email pedro.xol@mides.gob.gt --phone "5555 1234" --department "Dirección de Programas Sociales" \
    --post "Analista" --programme "Bolsa Social"
{
    echo "Referencia,CUI,Programa"
    awk -F, 'NR > 1 && NR <= 31 { printf "BS-%03d,%s,Bolsa Social\n", NR - 1, $1 }' "$WORK/registro.csv"
} >"$WORK/beneficiarios.csv"
run "$AGENT" query-template --from-csv "$WORK/beneficiarios.csv" --out "$WORK/beneficiarios.xlsx"
run "$CARD" issue --ca "$WORK/eid-ca" --cui "9876 54322 0101" --given "PEDRO" --surnames "XOL CAAL" --out "$WORK/card-pedro"
card_in "$WORK/card-pedro"
for i in 1 2 3; do
    run "$AGENT" --config "$CFG" query submit "$WORK/beneficiarios.xlsx" --wait --out "$WORK/resultado-$i.xlsx"
done

step "6. Which node served what"
psql "$DB" -X -c "SELECT seq, file_name, state, split_part(worker, ':', 1) || ':' || split_part(worker, ':', 2) AS worker, started_at FROM query_jobs ORDER BY seq"
for i in 1 2 3; do
    echo "node$i (pid ${PIDS[$((i - 1))]}): $(grep -c 'request' "$WORK/node$i.log" || true) request log lines, jobs: $(psql "$DB" -X -A -t -c "SELECT count(*) FROM query_jobs WHERE split_part(worker, ':', 2) = '${PIDS[$((i - 1))]}'")"
done
run "$SERVER" audit verify --data "$WORK/node2"

if [[ "${PADRON_CLUSTER_KEEP:-0}" == 1 ]]; then
    echo "The cluster stays up on $URL; Ctrl-C stops it."
    wait
fi
