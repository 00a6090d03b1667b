#!/usr/bin/env bash
# Cluster test: several nodes of the standalone app on one PostgreSQL job repository and one provider account
# (the sandbox, tariff Start: 3 active tasks), fed through every node's inbox and REST, while random nodes are
# killed (SIGKILL, then restarted) or frozen (SIGSTOP, then SIGCONT) again and again. Passes when
#   - the sandbox saw no limit broken: submit and status rates, the task limit, early and extra checks;
#   - no request was paid for more often than its own story allows (twice only after a provider time-out);
#   - every request ended in exactly one place: stored, or dead-lettered, never both;
#   - every job's event reached the shared events folder.
#
#   scripts/cluster-test.sh                                  # 3 nodes, 60 jobs, 12 chaos rounds
#   NODES=3 JOBS=15 ROUNDS=4 SEED=1 scripts/cluster-test.sh  # the short one CI runs
#
# Env: NODES, JOBS, ROUNDS, SCALE (sandbox clock), SEED, KEEP=1 keeps the work folder. Needs root or sudo for
# PostgreSQL (scripts/postgres-up.sh), curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

NODES=${NODES:-3}
JOBS=${JOBS:-60}
ROUNDS=${ROUNDS:-12}
SCALE=${SCALE:-0.02}
SEED=${SEED:-$RANDOM}
RANDOM=$SEED
DB=sora_cluster

mkdir -p target
WORK=$(mktemp -d "$PWD/target/cluster-XXXXXX")
echo "cluster test: $NODES nodes, $JOBS jobs, $ROUNDS chaos rounds, time scale $SCALE, seed $SEED, work $WORK"

# A database of its own, made anew: the test reads its outcome from it.
. scripts/lib.sh
fresh_database "$DB"
build_classpath "$WORK/cp.txt"

SANDBOX_PID=""
declare -a PIDS PORTS
cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && { kill -CONT "$pid" 2>/dev/null; kill -9 "$pid" 2>/dev/null; } || true
  done
  [ -n "$SANDBOX_PID" ] && kill "$SANDBOX_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"/node-*/work/downloads
}
trap cleanup EXIT
# a TERM (from a timeout, or CI giving up) ends the run through the same cleanup
trap 'exit 143' TERM INT
start_sandbox "$WORK" --time-scale "$SCALE" --tariff start

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

COMMON=(
  -Dsora.sandbox.enabled=false
  -Dsora.provider.yesai.base-url="$URL"
  -Dsora.provider.yesai.token=sandbox-token
  -Dsora.provider.yesai.tariff=start
  -Dsora.time-scale="$SCALE"
  -Dsora.repository.type=postgresql -Dsora.repository.url="$JDBC"
  -Dsora.repository.user=sora -Dsora.repository.password=sora -Dsora.repository.pool-size=3
  # the test shrinks the time a frozen node's download claim holds, not the rule
  -Dsora.repository.step-lease=8s -Dsora.repository.recover-interval-ms=1000
  -Dsora.cluster.leader-clocks=true -Dsora.cluster.file.root="$WORK/cluster"
  -Dsora.outbox="$WORK/outbox" -Dsora.dead-letter.folder="$WORK/dead-letter"
  -Dsora.notify.endpoint="file:$WORK/events" -Dsora.notify.retry-cron="0/5 * * * * ?"
  -Dsora.tick-ms=50 -Dsora.intake.poll-delay-ms=200
  -Dsora.intake.read-lock-check-interval-ms=100 -Dsora.intake.read-lock-min-age-ms=200
  -Dsora.download.retry-delay-ms=100 -Dsora.progress.interval-ms=5000
  -Dcamel.server.enabled=true
)
node_props() {
  local n=$1
  echo "-Dsora.inbox=$WORK/node-$n/inbox -Dsora.archive=$WORK/node-$n/archive -Dsora.work=$WORK/node-$n/work"
  echo "-Dcamel.server.port=${PORTS[$n]} -Dsora.cluster.file.id=node-$n"
}
start_node() {
  local n=$1
  # shellcheck disable=SC2046
  java -Xmx256m -cp "$CP" "${COMMON[@]}" $(node_props "$n") dev.soracamel.app.Application >>"$WORK/node-$n.log" 2>&1 &
  PIDS[$n]=$!
}
for n in $(seq "$NODES"); do
  mkdir -p "$WORK/node-$n/inbox"
  PORTS[$n]=$(free_port)
  start_node "$n"
done
for n in $(seq "$NODES"); do
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:${PORTS[$n]}/observe/health/live" >/dev/null 2>&1 && break; sleep 0.1; done
done
echo "nodes up on ports ${PORTS[*]}"

# The requests: mostly good, some the provider refuses or times out once, a few invalid ones. Two in three go
# into a node's inbox, the rest through a node's REST (retried on another node when one does not answer:
# the same request_id never makes a second job).
request() {
  local i=$1 version='"2"' res=720 dur=10 marker=""
  case $((i % 10)) in
    3) marker=" [sandbox:timeout-once]" ;;
    5) marker=" [sandbox:reject]" ;;
    7) version='"2.pro"'; res=1080; dur=15 ;;
    9) dur=15 ;; # invalid for version 2: dead-lettered (file) or refused (REST) before any call
  esac
  printf '{"request_id": "job-%d", "version": %s, "prompt": "cluster test job %d%s", "resolution": %d, "dimensions": "16:9", "duration": %d, "customer_id": "c%d"}' \
    "$i" "$version" "$i" "$marker" "$res" "$dur" $((i % 5))
}
post() {
  local i=$1 body tries=0 code
  body=$(request "$i")
  while [ $tries -lt 20 ]; do
    local n=$(((RANDOM % NODES) + 1))
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 -H 'Content-Type: application/json' \
      --data "$body" "http://127.0.0.1:${PORTS[$n]}/jobs" || true)
    case "$code" in 200 | 202 | 400) echo "$code" >"$WORK/rest/job-$i"; return 0 ;; esac
    tries=$((tries + 1)); sleep 0.3
  done
  echo "job-$i: no node took the REST request" >&2
}
mkdir -p "$WORK/rest"
feed() {
  for i in $(seq "$JOBS"); do
    if [ $((i % 3)) = 0 ]; then
      post "$i"
    else
      local n=$(((i % NODES) + 1))
      request "$i" >"$WORK/node-$n/inbox/.job-$i.tmp"
      mv "$WORK/node-$n/inbox/.job-$i.tmp" "$WORK/node-$n/inbox/job-$i.json"
    fi
    sleep 0.05
  done
}
feed &
FEED_PID=$!

# Chaos: a random node is killed and restarted, or frozen and thawed, again and again.
kills=0; freezes=0
for round in $(seq "$ROUNDS"); do
  sleep "$(awk -v s="$RANDOM" 'BEGIN{srand(s); printf "%.2f", 1 + rand() * 2}')"
  n=$(((RANDOM % NODES) + 1))
  if [ $((RANDOM % 2)) = 0 ]; then
    kill -9 "${PIDS[$n]}" 2>/dev/null || true
    wait "${PIDS[$n]}" 2>/dev/null || true
    kills=$((kills + 1))
    sleep "$(awk -v s="$RANDOM" 'BEGIN{srand(s); printf "%.2f", 0.5 + rand() * 2}')"
    start_node "$n"
    echo "round $round: node $n killed and restarted"
  else
    kill -STOP "${PIDS[$n]}" 2>/dev/null || true
    freezes=$((freezes + 1))
    frozen=$(awk -v s="$RANDOM" 'BEGIN{srand(s); printf "%.2f", 2 + rand() * 8}')
    sleep "$frozen"
    kill -CONT "${PIDS[$n]}" 2>/dev/null || true
    echo "round $round: node $n frozen for ${frozen}s"
  fi
done
wait "$FEED_PID" 2>/dev/null || true

echo "settling: until every job is stored or dead-lettered, its dead letter written and its event sent"
for _ in $(seq 600); do
  total=$(sql "select count(*) from sora_job" 2>/dev/null || echo 0)
  open=$(sql "select count(*) from sora_job where state not in ('STORED','DEAD') or (state = 'DEAD' and not dead_letter_written) or notify_pending" 2>/dev/null || echo 1)
  inbox=$(find "$WORK"/node-*/inbox -maxdepth 1 -name '*.json' | wc -l)
  [ "$open" = 0 ] && [ "$inbox" = 0 ] && [ "$total" -gt 0 ] && break
  sleep 1
done
sleep 2
curl -s "$URL/sandbox/stats" >"$WORK/sandbox-stats.json"
sql "select request_id || ' ' || state || ' ' || coalesce(body->>'deadCode', '') from sora_job" >"$WORK/jobs.txt"

python3 - "$WORK" "$JOBS" "$kills" "$freezes" <<'PY'
import json, os, sys, glob, collections
work, jobs, kills, freezes = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
stats = json.load(open(os.path.join(work, "sandbox-stats.json")))
def prompt_of(path):
    d = json.load(open(path))
    return (d.get("request") or d).get("prompt")
stored = {}
for meta in glob.glob(os.path.join(work, "outbox", "*", "*.json")):
    stored[os.path.basename(meta)[:-5]] = prompt_of(meta)
dead = {}
for err in glob.glob(os.path.join(work, "dead-letter", "*.error.json")):
    # a request refused at intake never became a job: its dead letter is <id>~<digest>.error.json
    rid = os.path.basename(err)[:-len(".error.json")].split("~")[0]
    dead[rid] = json.load(open(err))["code"]
refused = {os.path.basename(f) for f in glob.glob(os.path.join(work, "rest", "*")) if open(f).read().strip() == "400"}
records = {}
for line in open(os.path.join(work, "jobs.txt")):
    parts = line.split()
    if parts:
        records[parts[0]] = parts[1]
events = {os.path.basename(f) for f in glob.glob(os.path.join(work, "events", "*.json"))}
tasks = stats.get("tasksCreatedByPrompt", {})
problems = []
both = set(stored) & set(dead)
if both: problems.append(f"in both places: {sorted(both)}")
ended = set(stored) | set(dead) | refused
missing = [f"job-{i}" for i in range(1, jobs + 1) if f"job-{i}" not in ended]
if missing: problems.append(f"not stored, dead-lettered or refused: {missing}")
for rid, state in records.items():
    if state not in ("STORED", "DEAD"): problems.append(f"{rid} still {state}")
    if state == "STORED" and rid not in stored: problems.append(f"{rid} recorded STORED but no video")
    if state == "DEAD" and rid not in dead: problems.append(f"{rid} recorded DEAD but no dead letter")
    name = "stored" if state == "STORED" else "dead-lettered"
    if f"sora_{rid}_{name}.json" not in events: problems.append(f"{rid}: no {name} event")
for rid, prompt in stored.items():
    allowed = 2 if "timeout-once" in prompt else 1
    if tasks.get(prompt, 0) < 1 or tasks.get(prompt, 0) > allowed:
        problems.append(f"stored {rid} was paid {tasks.get(prompt, 0)} times, expected 1..{allowed}")
for i in range(1, jobs + 1):
    prompt = f"cluster test job {i}"
    paid = sum(n for p, n in tasks.items() if p.startswith(prompt + " ") or p == prompt)
    allowed = 2 if i % 10 == 3 else 1
    if paid > allowed: problems.append(f"job-{i} was paid {paid} times, at most {allowed} allowed")
breaches = stats.get("breaches", 0)
if breaches: problems.append(f"sandbox breaches: {breaches} ({ {k: v for k, v in stats.items() if 'reach' in k or 'arly' in k or 'OverLimit' in k} })")
codes = collections.Counter(dead.values())
print(f"chaos: {kills} kills, {freezes} freezes")
print(f"requests {jobs}: stored {len(stored)}, dead-lettered {len(dead)} {dict(codes)}, refused by REST {len(refused)}")
print(f"sandbox: tasks created {stats.get('tasksCreated')}, posts {stats.get('posts')}, status checks {stats.get('statusChecks')}, "
      f"breaches {breaches}, peak active {stats.get('maxActiveObserved')}")
print(f"events: {len(events)} for {len(records)} jobs")
if problems:
    print("FAIL"); [print("  " + p) for p in problems]; sys.exit(1)
print("PASS: no limit broken, nobody paid twice, every request in exactly one place, every event sent")
PY
