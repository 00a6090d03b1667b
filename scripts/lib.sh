# Set-up shared by the scripts that run the app against the sandbox in processes of their own
# (scripts/crash-test.sh, scripts/cluster-test.sh, bench/cluster.sh). Sourced from the project's root, not run.

# build_classpath FILE: compiles the app module and what it needs, writes its dependencies' classpath to FILE (an
# absolute path: every module of the reactor writes it, the app last) and sets CP (the app's classes first).
# Maven's own output goes to BUILD_LOG when set, else nowhere; a failed build shows it and stops.
build_classpath() {
  local log=${BUILD_LOG:-/dev/null}
  if ! mvn -q -B -ntp -pl app -am compile dependency:build-classpath -Dmdep.outputFile="$1" >"$log" 2>&1; then
    [ "$log" = /dev/null ] || cat "$log"
    echo "the build failed" >&2
    return 1
  fi
  CP="$PWD/app/target/classes:$(cat "$1")"
}

# start_sandbox DIR [SandboxMain flags...]: the sandbox in a process of its own, its log in DIR; sets
# SANDBOX_PID (for the caller's cleanup, which stops it by that PID) and URL, its base URL, which it prints
# alone on a line of stdout once it listens. SANDBOX_JAVA_OPTS adds JVM flags.
start_sandbox() {
  local dir=$1
  shift
  # shellcheck disable=SC2086 # JVM flags, split on purpose
  java ${SANDBOX_JAVA_OPTS:-} -cp "$CP" dev.soracamel.sandbox.SandboxMain --port 0 "$@" \
    >"$dir/sandbox.url" 2>"$dir/sandbox.log" &
  SANDBOX_PID=$!
  for _ in $(seq 200); do grep -qs '^http://' "$dir/sandbox.url" && break; sleep 0.1; done
  URL=$(grep -m1 '^http://' "$dir/sandbox.url" || true)
  [ -n "$URL" ] || { echo "the sandbox did not start" >&2; cat "$dir/sandbox.log" >&2; return 1; }
}

# fresh_database DB: PostgreSQL started (scripts/postgres-up.sh) and DB made anew, empty; sets JDBC and PGPORT
# and defines sql "statement" on it. postgres-up's progress goes to PG_LOG when set, else to stderr.
fresh_database() {
  local db=$1 log=${PG_LOG:-/dev/stderr}
  SORA_TEST_PG_DB=$db scripts/postgres-up.sh >/dev/null 2>>"$log"
  if [ "$(id -u)" = 0 ]; then
    (cd /tmp && runuser -u postgres -- psql -X -q -c "DROP DATABASE IF EXISTS $db") >/dev/null
  else
    (cd /tmp && sudo -u postgres psql -X -q -c "DROP DATABASE IF EXISTS $db") >/dev/null
  fi
  JDBC=$(SORA_TEST_PG_DB=$db scripts/postgres-up.sh 2>>"$log")
  PGPORT=$(sed -E 's#.*:([0-9]+)/.*#\1#' <<<"$JDBC")
  SQL_DB=$db
}
sql() { PGPASSWORD=sora psql -X -q -tA -h 127.0.0.1 -p "$PGPORT" -U sora -d "$SQL_DB" -c "$1"; }
