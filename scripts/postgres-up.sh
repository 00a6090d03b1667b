#!/usr/bin/env bash
# Starts this machine's PostgreSQL cluster and makes the test role and database, for the PostgreSQL job
# repository's tests. Idempotent: run it as often as you like. Needs root (CI runs as root) or sudo.
#
# The tests connect over TCP with a password, as a node would, so the role gets one; the cluster must listen on
# loopback only, because that password is in this script.
#
# Progress goes to stderr; stdout gets one line, the JDBC URL, so a caller can do
#   export SORA_TEST_PG_URL="$(scripts/postgres-up.sh)"
set -euo pipefail

# everything but the URL goes to stderr, whatever the tools below print
exec 3>&1 1>&2

PG_ROLE=${SORA_TEST_PG_USER:-sora}
PG_PASSWORD=${SORA_TEST_PG_PASSWORD:-sora}
PG_DB=${SORA_TEST_PG_DB:-sora_test}
WAIT_SECONDS=${PG_WAIT_SECONDS:-60}

say() { echo "postgres-up: $*"; }

# Runs a command with every descriptor above stderr closed (the caller sets 0-2).
without_inherited_fds() {
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    "$@"
  )
}

if [ "$(id -u)" = 0 ]; then
  as_postgres() { runuser -u postgres -- "$@"; }
  as_root() { "$@"; }
else
  as_postgres() { sudo -u postgres "$@"; }
  as_root() { sudo "$@"; }
fi

if ! command -v pg_lsclusters >/dev/null 2>&1 || ! command -v pg_ctlcluster >/dev/null 2>&1; then
  say "PostgreSQL is not installed: installing it with apt-get"
  as_root apt-get update -qq
  # the package's own start hook may fail in a container without an init system; the cluster is started below
  # (and its start hook, where it runs, must not hand the server our pipes either)
  without_inherited_fds as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql </dev/null >/dev/null
fi

# The first cluster pg_lsclusters shows; a fresh install normally has "<version> main". Made when there is none
# (initdb runs as the postgres user through pg_createcluster, never as root).
cluster=$(pg_lsclusters -h | awk 'NR == 1 { print $1, $2, $3 }')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  say "no PostgreSQL cluster: creating $version/main"
  as_root pg_createcluster "$version" main >/dev/null
  cluster=$(pg_lsclusters -h | awk 'NR == 1 { print $1, $2, $3 }')
fi
read -r version name port <<<"$cluster"

# Loopback only. Debian's default is 'localhost'; a cluster set to listen elsewhere is not ours to change.
listen=$(as_root pg_conftool -s "$version" "$name" show listen_addresses 2>/dev/null || echo localhost)
listen=${listen//\'/}
case "$listen" in
  localhost | 127.0.0.1 | "127.0.0.1,::1" | "localhost,127.0.0.1") ;;
  *)
    say "cluster $version/$name listens on '$listen', not on loopback only; refusing to give it a role with a"
    say "known password. Set listen_addresses = 'localhost' in its postgresql.conf (pg_conftool) and run this again."
    exit 1
    ;;
esac

if ! as_root pg_ctlcluster "$version" "$name" status >/dev/null 2>&1; then
  say "starting cluster $version/$name on port $port"
  # The server outlives this script: it must not inherit our stdout (the caller's $(...) would wait for it to
  # close, forever), the caller's stderr or any other pipe a runner handed down (a CI runner waits on those).
  # pg_ctlcluster's own words go to a file shown afterwards; the server logs to its log file.
  start_log=$(mktemp)
  if ! without_inherited_fds as_root pg_ctlcluster "$version" "$name" start </dev/null >"$start_log" 2>&1; then
    cat "$start_log"
    rm -f "$start_log"
    exit 1
  fi
  cat "$start_log"
  rm -f "$start_log"
fi

waited=0
until pg_isready -q -h 127.0.0.1 -p "$port"; do
  if [ "$waited" -ge "$WAIT_SECONDS" ]; then
    say "PostgreSQL $version/$name did not accept connections on 127.0.0.1:$port within ${WAIT_SECONDS}s;"
    say "see /var/log/postgresql/postgresql-$version-$name.log"
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done

# psql as postgres from a folder it may read (root's home is not), through the local socket (peer auth)
cd /tmp
psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"; }

psql_admin -v role="$PG_ROLE" -v password="$PG_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'role', :'password') \gexec
SQL
psql_admin -v role="$PG_ROLE" -v db="$PG_DB" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL

# what the server itself says, in case the file and the running server disagree
effective=$(psql_admin -tA -c 'SHOW listen_addresses')
case "$effective" in
  localhost | 127.0.0.1 | "127.0.0.1,::1" | "localhost,127.0.0.1") ;;
  *)
    say "the running cluster listens on '$effective', not on loopback only: fix listen_addresses and restart it"
    exit 1
    ;;
esac

say "PostgreSQL $version/$name ready on 127.0.0.1:$port (listen_addresses=$effective), database $PG_DB, role $PG_ROLE"
echo "jdbc:postgresql://127.0.0.1:$port/$PG_DB" >&3
