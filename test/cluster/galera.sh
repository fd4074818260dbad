#!/usr/bin/env bash
# A 3-node MariaDB Galera cluster on loopback for the cluster suite (test/cluster). Usage:
#   galera.sh start          fresh cluster (data wiped), waits until all 3 nodes are Synced; no-op if one is healthy
#   galera.sh stop           stops the nodes and removes their data
#   galera.sh status         one line per node; exit 0 only when all 3 are Synced in a cluster of 3
#   galera.sh kill N         kill -9 node N (fault tests)
#   galera.sh rejoin N       recovers node N's position (--wsrep-recover) and restarts it; it rejoins by IST
# Node N (1-3) serves SQL on 127.0.0.1:$((BASE+N)) as root with no password over TCP, database `test`.
# Environment: LATCHKEY_GALERA_DIR (default /var/tmp/latchkey-galera), LATCHKEY_GALERA_BASE_PORT (default 3310),
# LATCHKEY_GALERA_TIMEOUT (seconds to wait for the cluster, default 120).
# Learnt on a 2-core Debian machine: rsync state transfer fails when the server runs as root (so: --user=mysql and
# chowned data dirs); Galera's default 5 s suspect timeout makes a killed node stall the others for long, so the
# evs timeouts are shortened.
set -uo pipefail

DIR=${LATCHKEY_GALERA_DIR:-/var/tmp/latchkey-galera}
BASE=${LATCHKEY_GALERA_BASE_PORT:-3310}
TIMEOUT=${LATCHKEY_GALERA_TIMEOUT:-120}
PROVIDER=${LATCHKEY_GALERA_PROVIDER:-}
NODES=(1 2 3)

log() { printf 'galera: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

sql_port() { echo $((BASE + $1)); }
gcomm_port() { echo $((BASE + 2260 + $1)); } # 5571-5573 with the default base
ist_port() { echo $((BASE + 2270 + $1)); } # two clusters whose bases differ by 30 or more never share a port
sst_port() { echo $((BASE + 2280 + $1)); }
node_dir() { echo "$DIR/node$1"; }
sock() { echo "$DIR/node$1.sock"; }
pidfile() { echo "$DIR/node$1.pid"; }
errlog() { echo "$DIR/node$1.err"; }
cnf() { echo "$DIR/node$1.cnf"; }

find_provider() {
  if [ -n "$PROVIDER" ]; then echo "$PROVIDER"; return; fi
  for p in /usr/lib/galera/libgalera_smm.so /usr/lib/libgalera_smm.so /usr/lib64/galera-4/libgalera_smm.so; do
    [ -f "$p" ] && { echo "$p"; return; }
  done
}

# Runs SQL on node N over TCP as root (what the tests use); prints tab-separated rows.
q() { mariadb -h 127.0.0.1 -P "$(sql_port "$1")" -u root --connect-timeout=2 -N -B -e "$2" 2>/dev/null; }
wsrep_var() { q "$1" "SHOW GLOBAL STATUS LIKE '$2'" | cut -f2; }

pid_of() { local f; f=$(pidfile "$1"); [ -s "$f" ] && cat "$f"; }
alive() { local p; p=$(pid_of "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

node_ok() { # Synced, in a primary component of 3
  [ "$(wsrep_var "$1" wsrep_local_state_comment)" = Synced ] && [ "$(wsrep_var "$1" wsrep_cluster_size)" = 3 ] &&
    [ "$(wsrep_var "$1" wsrep_cluster_status)" = Primary ]
}
all_ok() {
  for n in "${NODES[@]}"; do alive "$n" || return 2; done
  for n in "${NODES[@]}"; do node_ok "$n" || return 1; done
}

write_cnf() {
  local n=$1 provider=$2
  cat > "$(cnf "$n")" <<EOF
[mysqld]
user=mysql
datadir=$(node_dir "$n")
socket=$(sock "$n")
pid-file=$(pidfile "$n")
log-error=$(errlog "$n")
port=$(sql_port "$n")
bind-address=127.0.0.1
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
max_connections=300
# Galera's requirements
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
# small and fast: this is a test cluster on loopback, durability comes from the other nodes
innodb_buffer_pool_size=64M
innodb_log_file_size=32M
innodb_flush_log_at_trx_commit=0
innodb_doublewrite=0
performance_schema=OFF
wsrep_on=ON
wsrep_provider=$provider
wsrep_cluster_name=latchkey_test
wsrep_cluster_address=gcomm://127.0.0.1:$(gcomm_port 1),127.0.0.1:$(gcomm_port 2),127.0.0.1:$(gcomm_port 3)
wsrep_node_name=node$n
wsrep_node_address=127.0.0.1:$(gcomm_port "$n")
wsrep_node_incoming_address=127.0.0.1:$(sql_port "$n")
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$(sst_port "$n")
wsrep_slave_threads=2
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:$(gcomm_port "$n");ist.recv_addr=127.0.0.1:$(ist_port "$n");gcache.size=64M;evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S;evs.install_timeout=PT4S;pc.wait_prim_timeout=PT30S"
EOF
}

# Starts node N in the background as user mysql; extra arguments go to mariadbd.
launch() {
  local n=$1; shift
  rm -f "$(pidfile "$n")"
  setsid nohup mariadbd --defaults-file="$(cnf "$n")" "$@" >> "$(errlog "$n").stdout" 2>&1 < /dev/null &
  echo $! > "$(pidfile "$n")" # mariadbd rewrites it (as mysql) with the same pid; until then alive() can tell
  chown mysql:mysql "$(pidfile "$n")"
}

wait_until() { # wait_until SECONDS WHAT CMD...: polls CMD every 0.5 s
  local seconds=$1 what=$2; shift 2
  local deadline=$(( $(date +%s) + seconds ))
  local rc
  while [ "$(date +%s)" -lt "$deadline" ]; do
    "$@"; rc=$?
    [ "$rc" = 0 ] && return 0
    [ "$rc" = 2 ] && { log "gave up waiting for $what: a node exited"; return 1; }
    sleep 0.5
  done
  log "timed out after ${seconds}s waiting for $what"
  return 1
}

show_logs() {
  for n in "${NODES[@]}"; do
    [ -f "$(errlog "$n")" ] || continue
    log "--- last lines of node $n's error log ($(errlog "$n")) ---"
    grep -E 'ERROR|\[Warning\] WSREP|failed|Failed|SST|IST' "$(errlog "$n")" | tail -n 15 >&2
  done
}

status() {
  local ok=0
  for n in "${NODES[@]}"; do
    if ! alive "$n"; then echo "node$n 127.0.0.1:$(sql_port "$n") down"; ok=1; continue; fi
    local state size
    state=$(wsrep_var "$n" wsrep_local_state_comment); size=$(wsrep_var "$n" wsrep_cluster_size)
    echo "node$n 127.0.0.1:$(sql_port "$n") pid $(pid_of "$n") state=${state:-unreachable} cluster_size=${size:-?}"
    node_ok "$n" || ok=1
  done
  return $ok
}

stop_nodes() {
  for n in "${NODES[@]}"; do
    alive "$n" && kill -TERM "$(pid_of "$n")" 2>/dev/null
  done
  for n in "${NODES[@]}"; do
    for _ in $(seq 1 60); do alive "$n" || break; sleep 0.5; done
    alive "$n" && kill -KILL "$(pid_of "$n")" 2>/dev/null
  done
  return 0
}

start() {
  if [ -d "$DIR" ] && all_ok; then log "already running and Synced"; status; return 0; fi
  command -v mariadbd >/dev/null || die "mariadbd not found (apt-get install mariadb-server)"
  command -v rsync >/dev/null || die "rsync not found (state transfer needs it: apt-get install rsync)"
  local provider; provider=$(find_provider)
  [ -n "$provider" ] || die "no Galera provider libgalera_smm.so (apt-get install galera-4)"
  id mysql >/dev/null 2>&1 || die "no user mysql (the nodes run as mysql: rsync state transfer fails as root)"
  for n in "${NODES[@]}"; do
    for port in "$(sql_port "$n")" "$(gcomm_port "$n")" "$(ist_port "$n")" "$(sst_port "$n")"; do
      if ! alive "$n" && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is taken (set LATCHKEY_GALERA_BASE_PORT)"; fi
    done
  done
  local t0; t0=$(date +%s)
  stop_nodes
  rm -rf "$DIR"
  mkdir -p "$DIR"
  for n in "${NODES[@]}"; do write_cnf "$n" "$provider"; mkdir -p "$(node_dir "$n")"; done
  chown -R mysql:mysql "$DIR"
  chmod 755 "$DIR"
  # Only node 1 gets a system database: the others receive node 1's whole data dir by state transfer.
  mariadb-install-db --defaults-file="$(cnf 1)" --user=mysql --auth-root-authentication-method=socket --skip-test-db \
    --wsrep-on=OFF > "$DIR/install.log" 2>&1 || { cat "$DIR/install.log" >&2; die "mariadb-install-db failed"; }
  log "bootstrapping node 1 (--wsrep-new-cluster)"
  launch 1 --wsrep-new-cluster
  sock_ok() { alive 1 || { sleep 1; alive 1; } || return 2; mariadb --protocol=socket -S "$(sock 1)" -u root -N -B -e "SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | grep -q Synced; }
  wait_until 60 "node 1 to bootstrap" sock_ok || { show_logs; die "node 1 did not bootstrap a cluster"; }
  # Over TCP, root@localhost does not match: tests connect as root@127.0.0.1 with no password. Replicated to all.
  mariadb --protocol=socket -S "$(sock 1)" -u root -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
    GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; CREATE DATABASE IF NOT EXISTS test;" ||
    die "could not create root@127.0.0.1 and database test on node 1"
  log "starting nodes 2 and 3 (state transfer by rsync)"
  launch 2; launch 3
  if ! wait_until "$TIMEOUT" "a cluster of 3 Synced nodes" all_ok; then
    status >&2; show_logs
    die "the cluster did not form: not every node is Synced with wsrep_cluster_size=3 (logs in $DIR)"
  fi
  log "cluster of 3 Synced in $(( $(date +%s) - t0 ))s"
  status
}

kill_node() {
  local n=$1
  alive "$n" || die "node $n is not running"
  kill -KILL "$(pid_of "$n")"
  for _ in $(seq 1 20); do alive "$n" || break; sleep 0.1; done
  log "node $n killed (-9)"
}

rejoin() {
  local n=$1
  alive "$n" && die "node $n is running"
  local recovered position
  # After a crash the position is in InnoDB, not grastate.dat: recover it so the node can rejoin by IST.
  mariadbd --defaults-file="$(cnf "$n")" --wsrep-recover --log-error="$DIR/node$n.recover.err" > /dev/null 2>&1
  recovered=$(grep -o 'Recovered position: .*' "$DIR/node$n.recover.err" | tail -n 1)
  position=${recovered#Recovered position: }
  [ -n "$position" ] || { tail -n 20 "$DIR/node$n.recover.err" >&2; die "could not recover node $n's position"; }
  log "node $n recovered position $position; rejoining"
  launch "$n" --wsrep-start-position="$position"
  rejoined() { alive "$n" || return 2; node_ok "$n"; }
  if ! wait_until "$TIMEOUT" "node $n to be Synced" rejoined; then status >&2; show_logs; die "node $n did not rejoin"; fi
  log "node $n Synced again"
}

case "${1:-}" in
  start) start ;;
  stop) stop_nodes; rm -rf "$DIR"; log "stopped" ;;
  status) status ;;
  kill) [[ "${2:-}" =~ ^[123]$ ]] || die "usage: $0 kill 1|2|3"; kill_node "$2" ;;
  rejoin) [[ "${2:-}" =~ ^[123]$ ]] || die "usage: $0 rejoin 1|2|3"; rejoin "$2" ;;
  *) echo "usage: $0 start|stop|status|kill N|rejoin N" >&2; exit 2 ;;
esac
