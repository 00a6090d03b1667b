#!/usr/bin/env bash
# Crash test: a batch on the sandbox, the pipeline killed with SIGKILL at random moments and restarted,
# then one last run until everything settled. Passes when every request ended in exactly one place
# (outbox or dead letters), the sandbox created at most one task per request (two for a request whose
# first task the provider timed out), every stored request was paid exactly once, and no limit broke.
#
#   scripts/crash-test.sh                       # 50 jobs, 20 kills
#   JOBS=10 ROUNDS=3 scripts/crash-test.sh      # a quick one
#
# Env: JOBS, ROUNDS, SCALE (sandbox clock, real ms per provider ms), MIN_UP / MAX_UP (seconds a run
# lives before the kill), SEED (for the kill times), KEEP=1 to keep the work folder.
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${JOBS:-50}
ROUNDS=${ROUNDS:-20}
SCALE=${SCALE:-0.02}
MIN_UP=${MIN_UP:-1.5}
MAX_UP=${MAX_UP:-4.0}
SEED=${SEED:-$RANDOM}
RANDOM=$SEED

mkdir -p target
WORK=$(mktemp -d "$PWD/target/crash-XXXXXX")
echo "crash test: $JOBS jobs, $ROUNDS kills, time scale $SCALE, seed $SEED, work $WORK"

mvn -q -B -ntp compile dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP="target/classes:$(cat "$WORK/cp.txt")"

# The sandbox is its own process: it plays the provider, which outlives our crashes.
java -cp "$CP" dev.soracamel.sandbox.SandboxMain --port 0 --time-scale "$SCALE" --tariff start \
  >"$WORK/sandbox.url" 2>"$WORK/sandbox.log" &
SANDBOX_PID=$!
PIPELINE_PID=""
cleanup() {
  [ -n "$PIPELINE_PID" ] && kill -9 "$PIPELINE_PID" 2>/dev/null || true
  kill "$SANDBOX_PID" 2>/dev/null || true
  wait "$SANDBOX_PID" 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK/inbox" "$WORK/work/downloads"
}
trap cleanup EXIT
# it prints its base URL alone on a line of stdout (its log goes there too)
for _ in $(seq 100); do grep -q '^http://' "$WORK/sandbox.url" && break; sleep 0.1; done
URL=$(grep -m1 '^http://' "$WORK/sandbox.url" || true)
[ -n "$URL" ] || { echo "the sandbox did not start"; cat "$WORK/sandbox.log"; exit 1; }

# The batch: mostly good requests, some the provider refuses or times out once, a few invalid ones.
mkdir -p "$WORK/inbox"
for i in $(seq "$JOBS"); do
  version='"2"'; res=720; dur=10; marker=""
  case $((i % 10)) in
    3) marker=" [sandbox:timeout-once]" ;;
    5) marker=" [sandbox:reject]" ;;
    7) version='"2.pro"'; res=1080; dur=15 ;;
    9) dur=15 ;; # invalid for version 2: dead-lettered before any call
  esac
  printf '{"version": %s, "prompt": "crash test job %d%s", "resolution": %d, "dimensions": "16:9", "duration": %d, "customer_id": "c%d"}\n' \
    "$version" "$i" "$marker" "$res" "$dur" $((i % 5)) >"$WORK/inbox/.job-$i.tmp"
  mv "$WORK/inbox/.job-$i.tmp" "$WORK/inbox/job-$i.json"
done

PROPS=(
  -Dsora.sandbox.enabled=false
  -Dsora.provider.yesai.base-url="$URL"
  -Dsora.provider.yesai.token=sandbox-token
  -Dsora.provider.yesai.tariff=start
  -Dsora.time-scale="$SCALE"
  -Dsora.inbox="$WORK/inbox" -Dsora.archive="$WORK/archive" -Dsora.outbox="$WORK/outbox"
  -Dsora.dead-letter.folder="$WORK/dead-letter" -Dsora.work="$WORK/work"
  -Dsora.tick-ms=10 -Dsora.intake.poll-delay-ms=100
  -Dsora.intake.read-lock-check-interval-ms=100 -Dsora.intake.read-lock-min-age-ms=200
  -Dsora.download.retry-delay-ms=100 -Dsora.progress.interval-ms=5000
)
run() { exec java -Xmx256m -cp "$CP" "${PROPS[@]}" "$@" dev.soracamel.Application >>"$WORK/pipeline.log" 2>&1; }

for round in $(seq "$ROUNDS"); do
  run & PIPELINE_PID=$!
  up=$(awk -v s="$RANDOM" -v a="$MIN_UP" -v b="$MAX_UP" 'BEGIN{srand(s); printf "%.2f", a + rand() * (b - a)}')
  sleep "$up"
  kill -9 "$PIPELINE_PID" 2>/dev/null || true
  wait "$PIPELINE_PID" 2>/dev/null || true
  PIPELINE_PID=""
  echo "round $round: killed after ${up}s; $(find "$WORK/outbox" -name '*.mp4' 2>/dev/null | wc -l) stored, $(find "$WORK/dead-letter" -name '*.error.json' 2>/dev/null | wc -l) dead-lettered"
done

echo "last run: until every request settled"
timeout 600 java -Xmx256m -cp "$CP" "${PROPS[@]}" -Dsora.exit-when-idle=true dev.soracamel.Application >>"$WORK/pipeline.log" 2>&1

curl -s "$URL/sandbox/stats" >"$WORK/sandbox-stats.json"
python3 - "$WORK" "$JOBS" <<'PY'
import json, os, sys, glob, collections
work, jobs = sys.argv[1], int(sys.argv[2])
stats = json.load(open(os.path.join(work, "sandbox-stats.json")))
def prompt_of(path):
    d = json.load(open(path))
    return (d.get("request") or d).get("prompt")
stored = {}
for meta in glob.glob(os.path.join(work, "outbox", "*", "*.json")):
    stored[os.path.basename(meta)[:-5]] = prompt_of(meta)
dead = {}
problems_early = []
for err in glob.glob(os.path.join(work, "dead-letter", "*.error.json")):
    base = os.path.basename(err)[:-len(".error.json")]
    rid = base.split("~")[0]  # a request refused at intake never became a job: <id>~<digest>.error.json
    if rid in dead: problems_early.append(f"{rid} dead-lettered twice")
    dead[rid] = (json.load(open(err))["code"], prompt_of(os.path.join(work, "dead-letter", base + ".json")))
tasks = stats.get("tasksCreatedByPrompt", {})
problems = problems_early
both = set(stored) & set(dead)
if both: problems.append(f"in both places: {sorted(both)}")
if len(stored) + len(dead) != jobs: problems.append(f"{len(stored)} stored + {len(dead)} dead != {jobs} requests")
for rid, prompt in stored.items():
    allowed = 2 if "timeout-once" in prompt else 1
    if tasks.get(prompt, 0) != allowed: problems.append(f"stored {rid} was paid {tasks.get(prompt, 0)} times, expected {allowed}")
for rid, (code, prompt) in dead.items():
    allowed = 2 if "timeout-once" in prompt else 1
    if tasks.get(prompt, 0) > allowed: problems.append(f"dead {rid} ({code}) was paid {tasks.get(prompt, 0)} times")
breaches = stats.get("breaches", 0)
if breaches: problems.append(f"sandbox breaches: {breaches} ({stats})")
codes = collections.Counter(c for c, _ in dead.values())
print(f"requests {jobs}: stored {len(stored)}, dead-lettered {len(dead)} {dict(codes)}")
print(f"sandbox: tasks created {stats.get('tasksCreated')}, posts {stats.get('posts')}, status checks {stats.get('statusChecks')}, breaches {breaches}, peak active {stats.get('maxActiveObserved')}")
if problems:
    print("FAIL"); [print("  " + p) for p in problems]; sys.exit(1)
print("PASS: every request in exactly one place, no double payment, no limit broken")
PY
