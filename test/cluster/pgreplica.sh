#!/usr/bin/env bash
# A PostgreSQL primary with a streaming replica on loopback, for the cluster suite's readReplica tests. Usage:
#   pgreplica.sh start     fresh primary (127.0.0.1:5441) and replica (127.0.0.1:5442, pg_basebackup -R), waits
#                          until the replica streams; no-op if both are up
#   pgreplica.sh stop      stops both and removes their data
#   pgreplica.sh status    exit 0 only when the replica is streaming from the primary
# Both trust postgres on 127.0.0.1 (no password) and have a database `test`. They run as user postgres.
# Environment: LATCHKEY_PGREPL_DIR (default /var/tmp/latchkey-pgrepl), LATCHKEY_PGREPL_PORT (primary, default 5441;
# the replica takes the next port).
set -uo pipefail

DIR=${LATCHKEY_PGREPL_DIR:-/var/tmp/latchkey-pgrepl}
PRIMARY_PORT=${LATCHKEY_PGREPL_PORT:-5441}
REPLICA_PORT=$((PRIMARY_PORT + 1))

log() { printf 'pgreplica: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

bindir() {
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$v" ] && echo "/usr/lib/postgresql/$v/bin"
}
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
q() { psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -Atc "$2" 2>/dev/null; }

streaming() { [ "$(q "$PRIMARY_PORT" "select count(*) from pg_stat_replication where state = 'streaming'")" = 1 ] && [ "$(q "$REPLICA_PORT" "select pg_is_in_recovery()")" = t ]; }

status() {
  echo "primary 127.0.0.1:$PRIMARY_PORT $(q "$PRIMARY_PORT" 'select 1' >/dev/null && echo up || echo down)"
  echo "replica 127.0.0.1:$REPLICA_PORT $(q "$REPLICA_PORT" 'select 1' >/dev/null && echo up || echo down), streaming: $(streaming && echo yes || echo no)"
  streaming
}

stop() {
  local bin; bin=$(bindir)
  for node in replica primary; do
    [ -f "$DIR/$node/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$DIR/$node" -m immediate -w stop >/dev/null 2>&1
  done
  rm -rf "$DIR"
  return 0
}

start() {
  if [ -d "$DIR" ] && streaming; then log "already running and streaming"; status; return 0; fi
  local bin; bin=$(bindir)
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || die "PostgreSQL server binaries not found (apt-get install postgresql)"
  id postgres >/dev/null 2>&1 || die "no user postgres"
  local t0; t0=$(date +%s)
  stop
  mkdir -p "$DIR" && chown postgres:postgres "$DIR"
  as_pg "$bin/initdb" -D "$DIR/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync > "$DIR/initdb.log" 2>&1 ||
    { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  cat >> "$DIR/primary/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PRIMARY_PORT
unix_socket_directories = '$DIR'
wal_level = replica
max_wal_senders = 4
shared_buffers = 32MB
fsync = off
EOF
  echo "host replication postgres 127.0.0.1/32 trust" >> "$DIR/primary/pg_hba.conf"
  as_pg "$bin/pg_ctl" -D "$DIR/primary" -l "$DIR/primary.log" -w start >/dev/null || { tail -n 20 "$DIR/primary.log" >&2; die "the primary did not start"; }
  q "$PRIMARY_PORT" "create database test" >/dev/null || die "could not create database test on the primary"
  # -R writes standby.signal and primary_conninfo: the copy starts as a streaming replica.
  as_pg pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/replica" -R -X stream -c fast > "$DIR/basebackup.log" 2>&1 ||
    { cat "$DIR/basebackup.log" >&2; die "pg_basebackup failed"; }
  printf "port = %s\n" "$REPLICA_PORT" >> "$DIR/replica/postgresql.conf"
  as_pg "$bin/pg_ctl" -D "$DIR/replica" -l "$DIR/replica.log" -w start >/dev/null || { tail -n 20 "$DIR/replica.log" >&2; die "the replica did not start"; }
  for _ in $(seq 1 60); do streaming && break; sleep 0.5; done
  streaming || { status >&2; tail -n 20 "$DIR/replica.log" >&2; die "the replica does not stream from the primary"; }
  log "primary and streaming replica ready in $(( $(date +%s) - t0 ))s"
  status
}

case "${1:-}" in
  start) start ;;
  stop) stop; log "stopped" ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
