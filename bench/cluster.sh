#!/usr/bin/env bash
# Benchmarks of several nodes (processes of dev.soracamel.app.Application) sharing one PostgreSQL job repository,
# against the sandbox with a scaled clock. Three scenarios:
#
#   makespan  one account at 5 slots, 200 Yes Ai "2" jobs dropped into the inboxes before the nodes start:
#             1 node on PostgreSQL, 3 nodes on PostgreSQL, and for reference 1 node on the file repository.
#             Goal: 3 nodes within 3 % of 1 node, 0 breaches.
#   failover  3 nodes, a steady stream of jobs; again and again the node that made the latest submit is killed
#             (SIGKILL) and the time to the next submit by another node is measured, then it is restarted.
#             Goal: at most the claim lease (5 s) plus one submit spacing.
#   accounts  3 nodes and 10 provider accounts (one pipeline, providers p1..p10, 3 slots each) against 3 nodes
#             and 1 account, and 1 node and 10 accounts: submits per second over the busy period.
#             Goal: about 10 times the one account's rate, not capped by one node.
#
#   bench/cluster.sh                      # all three (12 to 20 minutes on a 2-core machine, by its load)
#   bench/cluster.sh makespan failover    # some of them
#   KILLS=5 bench/cluster.sh failover     # knobs: SCALE TICK JOBS SLOTS KILLS MIDPOST_KILLS
#                                         #   FEED_MS FO_SLOTS MAKESPAN_RUNS WARMUP
#                                         #   QUIET_WAIT
#                                         #   ACCOUNTS ACC_SLOTS ACC_JOBS KEEP=1
#
# Results: target/bench/cluster-<time>/results.md (a table of figures beside goals) and the logs of every
# process beside it. Needs root or sudo for PostgreSQL (scripts/postgres-up.sh), Maven, python3. Loopback
# only. Every process it starts is stopped by its own PID.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE=${SCALE:-0.02}
# The submit and poll routes' tick, scaled with the clock as bench/run.sh does (production: 100 ms against a
# 1 s call spacing, so 2 ms at 0.02). A longer tick would hand a cluster of N nodes an N times finer tick.
TICK=${TICK:-$(python3 -c "print(max(1, round(100 * $SCALE)))")}
JOBS=${JOBS:-200}
SLOTS=${SLOTS:-5}
KILLS=${KILLS:-20}
MIDPOST_KILLS=${MIDPOST_KILLS:-10}
FEED_MS=${FEED_MS:-200}
FO_SLOTS=${FO_SLOTS:-20}
# which runs of the makespan scenario: <repository>-<nodes>, pg or file
MAKESPAN_RUNS=${MAKESPAN_RUNS:-pg-1 pg-3 file-1}
ACCOUNTS=${ACCOUNTS:-10}
ACC_SLOTS=${ACC_SLOTS:-3}
ACC_JOBS=${ACC_JOBS:-45}
WARMUP=${WARMUP:-25}
QUIET_WAIT=${QUIET_WAIT:-30}
DB=sora_bench_cluster

if [ $# -eq 0 ]; then set -- makespan failover accounts; fi
for s in "$@"; do
  case "$s" in makespan | failover | accounts) ;; *) echo "unknown scenario $s (makespan failover accounts)" >&2; exit 2 ;; esac
done

mkdir -p target/bench
RUN=$(mktemp -d "$PWD/target/bench/cluster-$(date -u +%Y%m%dT%H%M%S)-XXXX")
START=$(date +%s)
say() { echo "[$(date -u +%H:%M:%S) +$(($(date +%s) - START))s] $*"; }
say "cluster bench: $*; scale $SCALE, tick ${TICK} ms; work $RUN"

# ---------------------------------------------------------------- processes (each stopped by its own PID)

declare -A NODE_PID=()
SANDBOX_PID=
FEED_PID=
cleanup() {
  [ -n "$FEED_PID" ] && kill "$FEED_PID" 2>/dev/null || true
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
  for n in "${!NODE_PID[@]}"; do kill -9 "${NODE_PID[$n]}" 2>/dev/null || true; done
  [ -n "$SANDBOX_PID" ] && { kill -CONT "$SANDBOX_PID"; kill "$SANDBOX_PID"; } 2>/dev/null || true
  wait 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] || rm -rf "$RUN"/*/node-*/work/downloads "$RUN"/*/outbox/*/*.mp4
}
trap cleanup EXIT
# a TERM (from a timeout, or CI giving up) ends the run through the same cleanup
trap 'exit 143' TERM INT

. scripts/lib.sh
export PG_LOG="$RUN/postgres-up.log"
JDBC=
fresh_db() { fresh_database "$DB"; }

say "building (mvn compile)"
BUILD_LOG="$RUN/build.log" build_classpath "$RUN/cp.txt"
COMMIT=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src routes config pom.xml || echo "+changes")

URL=
SANDBOX_JAVA_OPTS=-Xmx512m
stop_sandbox() {
  kill "$SANDBOX_PID" 2>/dev/null || true
  wait "$SANDBOX_PID" 2>/dev/null || true
  SANDBOX_PID=
}

# The settings every node of a run shares; set by each scenario before it starts nodes.
declare -a COMMON=()
common_props() { # dir, repository (postgresql|file), then provider settings
  local dir=$1 repo=$2; shift 2
  COMMON=(
    -Dsora.sandbox.enabled=false
    -Dsora.time-scale="$SCALE"
    -Dsora.tick-ms="$TICK"
    # the intake settings scripts/cluster-test.sh shrinks: how soon a dropped file is read
    -Dsora.intake.poll-delay-ms=200
    -Dsora.intake.read-lock-check-interval-ms=100 -Dsora.intake.read-lock-min-age-ms=200
    -Dsora.validation.check-image=false
    -Dsora.progress.interval-ms=5000
    -Dsora.outbox="$dir/outbox" -Dsora.dead-letter.folder="$dir/dead-letter"
    "$@"
  )
  if [ "$repo" = postgresql ]; then
    COMMON+=(-Dsora.repository.type=postgresql -Dsora.repository.url="$JDBC"
      -Dsora.repository.user=sora -Dsora.repository.password=sora)
  fi
}
start_node() { # dir, n
  local dir=$1 n=$2
  mkdir -p "$dir/node-$n/inbox"
  java -Xmx256m -cp "$CP" "${COMMON[@]}" -Dsora.inbox="$dir/node-$n/inbox" -Dsora.archive="$dir/node-$n/archive" \
    -Dsora.work="$dir/node-$n/work" dev.soracamel.app.Application >>"$dir/node-$n.log" 2>&1 &
  NODE_PID[$n]=$!
}
wait_ready() { # dir, n: until this life of the node logged that its routes run
  local dir=$1 n=$2 before=${3:-0}
  for _ in $(seq 600); do
    [ "$(grep -c 'pipeline sora ready' "$dir/node-$n.log" 2>/dev/null || true)" -gt "$before" ] && return 0
    kill -0 "${NODE_PID[$n]}" 2>/dev/null || { echo "node $n died:"; tail -20 "$dir/node-$n.log"; exit 1; }
    sleep 0.1
  done
  echo "node $n did not start in 60 s"; tail -20 "$dir/node-$n.log"; exit 1
}
stop_nodes() { # politely, then not
  for n in "${!NODE_PID[@]}"; do kill -TERM "${NODE_PID[$n]}" 2>/dev/null || true; done
  for n in "${!NODE_PID[@]}"; do
    local pid=${NODE_PID[$n]}
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "NODE_PID[$n]"
  done
}

# A valid Yes Ai version "2" request, as in scripts/cluster-test.sh; $3 names a provider instance.
request() { # i, tag, [provider]
  local provider=""
  [ -n "${3:-}" ] && provider=", \"provider\": \"$3\""
  printf '{"request_id": "%s-%d", "version": "2", "prompt": "cluster bench %s job %d", "resolution": 720, "dimensions": "16:9", "duration": 10, "customer_id": "c%d"%s}' \
    "$2" "$1" "$2" "$1" $(($1 % 5)) "$provider"
}
drop() { # dir, node, i, tag, [provider]: written beside the inbox and renamed in, as a client should
  request "$3" "$4" "${5:-}" >"$1/node-$2/inbox/.$4-$3.tmp"
  mv "$1/node-$2/inbox/.$4-$3.tmp" "$1/node-$2/inbox/$4-$3.json"
}
ended() { # dir: requests stored or dead-lettered
  echo $(($(find "$1/outbox" -name '*.json' ! -name '.*' 2>/dev/null | wc -l) + $(find "$1/dead-letter" -name '*.error.json' ! -name '.*' 2>/dev/null | wc -l)))
}
# How much CPU other processes took meanwhile (another engineer's build or tests), in cores: all busy time
# from /proc/stat minus this script's process tree (the waited-for children are in its cumulative times) and
# PostgreSQL's processes (which serve mostly us).
ours_ticks() {
  local t=0 p v
  for p in $$ $(ps -o pid= --ppid $$) $(pgrep -u postgres || true); do
    v=$(awk '{print $14+$15+$16+$17}' "/proc/$p/stat" 2>/dev/null || echo 0)
    t=$((t + ${v:-0}))
  done
  echo "$t"
}
cpu_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
# Transactions of the run's database, with the time: how hard the nodes work the repository.
db_xacts() { echo "$(date +%s%3N) $(sql "select xact_commit + xact_rollback from pg_stat_database where datname = '$DB'" 2>/dev/null || echo 0)"; }
# Before a measured run: wait (at most QUIET_WAIT s) until other processes take less than a quarter of a core.
wait_quiet() {
  local t0 b0 t_0 o0 b1 t1 o1 other
  t0=$(date +%s)
  while :; do
    read -r b0 t_0 <<<"$(cpu_busy)"; o0=$(ours_ticks)
    sleep 2
    read -r b1 t1 <<<"$(cpu_busy)"; o1=$(ours_ticks)
    other=$(python3 -c "print(f'{max(0, ($b1 - $b0) - ($o1 - $o0)) / (($t1 - $t_0) / $(nproc)):.2f}')")
    if python3 -c "import sys; sys.exit(0 if $other < 0.25 else 1)"; then return 0; fi
    if [ $(($(date +%s) - t0)) -ge "$QUIET_WAIT" ]; then say "  the machine is busy (other processes: $other cores); going on"; return 0; fi
    say "  waiting for a quiet machine (other processes: $other cores)"
  done
}
load_begin() { echo "$(cpu_busy) $(ours_ticks)" >"$1/cpu0"; db_xacts >"$1/db0"; }
load_end() { # dir: writes "other cores; load average"
  local b0 t0 o0 b1 t1 o1
  read -r b0 t0 o0 <"$1/cpu0"
  read -r b1 t1 <<<"$(cpu_busy)"
  o1=$(ours_ticks)
  local m0 x0 m1 x1
  read -r m0 x0 <"$1/db0"
  read -r m1 x1 <<<"$(db_xacts)"
  python3 -c "print(f'{($x1 - $x0) / (($m1 - $m0) / 1000):.0f}')" >"$1/db-xacts-per-s"
  echo "$(python3 -c "print(f'{max(0, ($b1 - $b0) - ($o1 - $o0)) / (($t1 - $t0) / $(nproc)):.2f}')") of $(nproc) cores; load average $(uptime | sed 's/.*load average: //')" >"$1/loadavg"
}
wait_all_ended() { # dir, count, timeout s
  local dir=$1 want=$2 t0 last=-1 now
  t0=$(date +%s)
  while :; do
    now=$(ended "$dir")
    [ "$now" -ge "$want" ] && return 0
    if [ $(($(date +%s) - t0)) -ge "$3" ]; then echo "timed out: $now of $want ended"; return 1; fi
    if [ $(( ($(date +%s) - t0) % 10 )) = 0 ] && [ "$now" != "$last" ]; then say "  $now of $want ended"; last=$now; fi
    sleep 0.5
  done
}

# A run of a fixed set of jobs dropped before the nodes start: until every one ended.
# dir, nodes, jobs, then "tag provider..." pairs are given by drop_jobs() beforehand.
# CPU ticks (1/100 s) used so far by the nodes, by PostgreSQL (its processes, the ended backends included through
# the postmaster's children's times) and by the sandbox: where the cores went during the measured part of a run.
cpu_groups() {
  local nodes=0 pg=0 sb=0 p v
  for p in "${NODE_PID[@]}"; do v=$(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0); nodes=$((nodes + v)); done
  for p in $(pgrep -u postgres || true); do v=$(awk '{print $14+$15+$16+$17}' "/proc/$p/stat" 2>/dev/null || echo 0); pg=$((pg + v)); done
  [ -n "$SANDBOX_PID" ] && sb=$(awk '{print $14+$15}' "/proc/$SANDBOX_PID/stat" 2>/dev/null || echo 0)
  echo "$(date +%s%3N) $nodes $pg $sb"
}
SAMPLER_PID=
# A run with a fixed set of jobs: the nodes start with empty inboxes; once all are ready, WARMUP jobs run through
# them (a cold JVM's class loading and JIT weigh 50 times more at this clock than in production, and three cold
# JVMs share two cores); then the measured jobs are dropped into the inboxes, spread evenly, and the run lasts
# until every one ended. dropper is called as: dropper <tag> <count>.
batch_run() { # dir, nodes, jobs, timeout, dropper
  local dir=$1 nodes=$2 jobs=$3 timeout=$4 dropper=$5 n
  wait_quiet
  load_begin "$dir"
  for n in $(seq "$nodes"); do start_node "$dir" "$n"; done
  for n in $(seq "$nodes"); do wait_ready "$dir" "$n"; done
  say "  $nodes node(s) ready; warming up with $WARMUP jobs"
  "$dropper" warm "$WARMUP"
  wait_all_ended "$dir" "$WARMUP" "$timeout" || true
  sleep 1
  # and how many of the run's sessions wait for a lock (the account row's, in practice)
  (while :; do db_xacts; sql "select count(*) from pg_stat_activity where datname = '$DB' and wait_event_type = 'Lock'" \
    2>/dev/null | sed 's/^/waiting /' || true; sleep 0.2; done >"$dir/db-samples") &
  SAMPLER_PID=$!
  cpu_groups >"$dir/cpu-samples"
  say "  dropping $jobs jobs"
  "$dropper" job "$jobs"
  wait_all_ended "$dir" $((WARMUP + jobs)) "$timeout" || true
  cpu_groups >>"$dir/cpu-samples"
  kill "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=
  sleep 1
  curl -s "$URL/sandbox/stats" >"$dir/stats.json"
  load_end "$dir"
  stop_nodes
  stop_sandbox
}

machine() {
  {
    echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "- commit: $COMMIT ($(git rev-parse --abbrev-ref HEAD))"
    echo "- nproc: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    echo "- free -h: $(free -h | awk '/^Mem:/{print "total " $2 ", available " $7}')"
    echo "- java -version: $(java -version 2>&1 | head -1)"
    echo "- PostgreSQL: $(PGPASSWORD=sora psql -X -tA -h 127.0.0.1 -U sora -d postgres -c 'show server_version' 2>/dev/null || echo '?')"
    echo "- time scale $SCALE (1 provider s = $(python3 -c "print(round(1000 * $SCALE, 3))") ms real), tick $TICK ms"
  } >"$RUN/machine.md"
}
machine

# ---------------------------------------------------------------- the analysis
cat >"$RUN/analyze.py" <<'PY'
import json, math, os, sys, glob, re, statistics

SCALE = float(os.environ["SCALE"])

def opt(d, name):
    f = os.path.join(d, name)
    return open(f).read().strip() if os.path.exists(f) else None

def load(d):
    return json.load(open(os.path.join(d, "stats.json")))

def breaches(s):
    return (f"{s['breaches']} (submit rate {s['postRateBreaches']}, status rate {s['statusRateBreaches']}, "
            f"task limit {s['taskLimitBreaches']}, early {s['earlyChecks']}, over 60 checks {s['checksOverLimit']})")

def measured(tasks):
    """the measured jobs' tasks, not the warm-up's"""
    return [t for t in tasks if t["prompt"].startswith("cluster bench job")]

def stored_at(d):
    from datetime import datetime
    out = []
    for f in glob.glob(os.path.join(d, "outbox", "*", "job*.json")):
        m = json.load(open(f))
        t = m.get("storedAt")
        if t:
            out.append(datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() * 1000)
    return out

def bounds(tasks, k, s=1.0, f=60.0, p=20.0):
    d = [(t["finalAtMillis"] - t["createdAtMillis"]) / 1000 / SCALE for t in tasks if t["finalAtMillis"] > 0]
    n = len(d)
    quota = max((sum(d) + s * k * (k - 1) / 2) / k, (n - 1) * s + min(d))
    import math
    h = [f if x <= f else f + p * math.ceil((x - f) / p) for x in d]
    poll = max((sum(h) + s * k * (k - 1) / 2) / k, (n - 1) * s + min(h))
    return quota, poll, d

def window_rates(d, t0, t1):
    """database transactions per second, and cores used by the nodes, PostgreSQL and the sandbox, over [t0, t1]"""
    out = {}
    f = os.path.join(d, "db-samples")
    if os.path.exists(f):
        lines = open(f).read().split("\n")
        sm = [tuple(map(int, l.split())) for l in lines if len(l.split()) == 2 and not l.startswith("waiting")]
        waits = [int(l.split()[1]) for l in lines if l.startswith("waiting ")]
        if waits:
            out["lock_waits"] = (sum(waits) / len(waits), sum(1 for w in waits if w) / len(waits))
        inside = [x for x in sm if t0 <= x[0] <= t1] or sm
        if len(inside) > 1 and inside[-1][0] > inside[0][0]:
            out["xacts"] = (inside[-1][1] - inside[0][1]) / ((inside[-1][0] - inside[0][0]) / 1000)
    f = os.path.join(d, "cpu-samples")
    if os.path.exists(f):
        a, b = [list(map(int, l.split())) for l in open(f).read().split("\n") if l.strip()][:2]
        secs = (b[0] - a[0]) / 1000
        hz = os.sysconf("SC_CLK_TCK")
        out["cores"] = dict(nodes=(b[1] - a[1]) / hz / secs, postgres=(b[2] - a[2]) / hz / secs,
                            sandbox=(b[3] - a[3]) / hz / secs)
    return out

def late_checks(tasks):
    """how long after its 60 s minimum each task's first status check came, provider s: p50, p90, max"""
    late = sorted((t["firstCheckAtMillis"] - t["createdAtMillis"]) / 1000 / SCALE - 60 for t in tasks
                  if t["firstCheckAtMillis"] > 0)
    return (late[len(late) // 2], late[int(0.9 * (len(late) - 1))], late[-1]) if late else None

def makespan(d, label, k):
    s = load(d)
    tasks = measured(s["tasks"])
    first = min(t["createdAtMillis"] for t in tasks)
    st = stored_at(d)
    last = max(st) if st else float("nan")
    lastfinal = max(t["finalAtMillis"] for t in tasks)
    quota, poll, dur = bounds(tasks, k)
    ms = (last - first) / 1000 / SCALE
    dead = len(glob.glob(os.path.join(d, "dead-letter", "*.error.json")))
    r = dict(label=label, makespan=ms, real=(last - first) / 1000, busy=(lastfinal - first) / 1000 / SCALE,
             quota=quota, poll=poll, stored=len(st), dead=dead, tasks=len(tasks), breaches=breaches(s),
             b=s["breaches"], peak=s["maxActiveObserved"], checks=sum(t["checks"] for t in tasks) / len(tasks),
             min_checks=statistics.mean([1 if x <= 60 else 1 + math.ceil((x - 60) / 20) for x in dur]),
             late=late_checks(tasks),
             load=opt(d, "loadavg"), gen=(statistics.mean(dur), min(dur), max(dur)), **window_rates(d, first, last))
    json.dump(r, open(os.path.join(d, "result.json"), "w"))
    print(f"  {label}: makespan {ms:.0f} provider s ({r['real']:.1f} s real), {r['stored']} stored, {dead} dead, "
          f"{len(tasks)} tasks, makespan/quota bound {ms / quota:.3f}, /poll-schedule bound {ms / poll:.3f}, "
          f"breaches {r['breaches']}, peak {r['peak']}, {r['checks']:.2f} checks per task, database "
          f"{r.get('xacts', 0):.0f} transactions/s, cores used {fmt_cores(r.get('cores'))}, other load {r['load']}")

def fmt_cores(c):
    return "?" if not c else ", ".join(f"{k} {v:.2f}" for k, v in c.items())

def submitters(d):
    """task id -> node number, from the nodes' logs ("submitted as task N")"""
    owner = {}
    for log in glob.glob(os.path.join(d, "node-*.log")):
        n = int(re.search(r"node-(\d+)\.log$", log).group(1))
        for m in re.finditer(r"submitted as task (\d+) ", open(log, errors="replace").read()):
            owner[int(m.group(1))] = n
    return owner

def failover(d):
    s = load(d)
    tasks = sorted(s["tasks"], key=lambda t: t["createdAtMillis"])
    owner = submitters(d)
    rows = []
    kills = []
    for line in open(os.path.join(d, "kills.tsv")):
        k, victim, t_kill, holder, mode = line.rstrip("\n").split("\t")
        victim, t_kill = int(victim), int(t_kill)
        kills.append(t_kill)
        after = [t for t in tasks if t["createdAtMillis"] > t_kill]
        nxt = next((t for t in after if owner.get(int(t["taskId"])) not in (None, victim)), None)
        # tasks no log claims: the victim's POST that was on the wire when it died (paid, outcome unknown to us)
        orphans = [t for t in tasks if owner.get(int(t["taskId"])) is None
                   and t_kill - 2000 <= t["createdAtMillis"] <= (nxt["createdAtMillis"] if nxt else t_kill + 30000)]
        before = [t for t in tasks if t["createdAtMillis"] <= t_kill and owner.get(int(t["taskId"])) is not None]
        last_before = before[-1]["createdAtMillis"] if before else None
        gap = (nxt["createdAtMillis"] - t_kill) / 1000 if nxt else None
        rows.append(dict(kill=int(k), mode=mode, victim=victim, gap=gap, holder=holder, orphans=len(orphans),
                         since_last=(t_kill - last_before) / 1000 if last_before else None,
                         next_by=owner.get(int(nxt["taskId"])) if nxt else None))
    def summary(rs):
        g = sorted(r["gap"] for r in rs if r["gap"] is not None)
        return dict(n=len(g), median=statistics.median(g) if g else None, max=max(g) if g else None,
                    min=min(g) if g else None, missing=sum(1 for r in rs if r["gap"] is None),
                    over_1s=sum(1 for x in g if x > 1), held=sum(1 for r in rs if r["holder"]),
                    orphans=sum(r["orphans"] for r in rs))
    # the steady stream's own gaps between submits, away from the kills, for comparison
    steady = []
    for a, b in zip(tasks, tasks[1:]):
        if all(not (k - 1000 <= b["createdAtMillis"] and a["createdAtMillis"] <= k + 15000) for k in kills):
            steady.append((b["createdAtMillis"] - a["createdAtMillis"]) / 1000)
    steady.sort()
    res = dict(rows=rows, latest=summary([r for r in rows if r["mode"] == "latest"]),
               midpost=summary([r for r in rows if r["mode"] == "midpost"]), breaches=breaches(s), b=s["breaches"],
               tasks=len(tasks), steady_median=statistics.median(steady) if steady else None,
               steady_p99=steady[int(0.99 * (len(steady) - 1))] if steady else None,
               steady_max=max(steady) if steady else None,
               dup=sum(1 for v in s["tasksCreatedByPrompt"].values() if v > 1),
               load=opt(d, "loadavg"), xacts=opt(d, "db-xacts-per-s"))
    json.dump(res, open(os.path.join(d, "result.json"), "w"))
    r3 = lambda x: None if x is None else round(x, 3)
    for r in rows:
        print(f"  kill {r['kill']} ({r['mode']}): node {r['victim']} (gate holder: {r['holder'] or '-'}), "
              f"{r3(r['since_last'])} s after its cluster's last submit; next submit by node {r['next_by']} "
              f"after {r3(r['gap'])} s" + (f"; {r['orphans']} task(s) no log claims" if r["orphans"] else ""))
    for m in ("latest", "midpost"):
        x = res[m]
        print(f"  {m}: {x['n']} kills, median {r3(x['median'])} s, max {r3(x['max'])} s, min {r3(x['min'])} s, "
              f"over 1 s {x['over_1s']}, gate held by the victim {x['held']}, tasks no log claims {x['orphans']}, "
              f"no next submit {x['missing']}")
    print(f"  steady submit gaps: median {r3(res['steady_median'])} s, p99 {r3(res['steady_p99'])} s, "
          f"max {r3(res['steady_max'])} s; {len(tasks)} tasks; breaches {res['breaches']}; "
          f"prompts with more than one task {res['dup']}; database {res['xacts']} transactions/s; other load {res['load']}")

def accounts(d, label, k, naccounts):
    s = load(d)
    tasks = sorted(measured(s["tasks"]), key=lambda t: t["createdAtMillis"])
    c = [t["createdAtMillis"] for t in tasks]
    busy = (c[-1] - c[0]) / 1000
    rate = (len(c) - 1) / busy  # submits per real second over the busy period
    per = {}
    for t in tasks:
        m = re.search(r"cluster bench job-(p\d+) job", t["prompt"])
        per.setdefault(m.group(1) if m else "?", []).append(t["createdAtMillis"])
    per_rate = {a: (len(v) - 1) / ((v[-1] - v[0]) / 1000) for a, v in per.items() if len(v) > 1}
    dur = [(t["finalAtMillis"] - t["createdAtMillis"]) / 1000 for t in tasks if t["finalAtMillis"] > 0]
    st = stored_at(d)
    acc = s.get("accounts", {})
    peaks = [a["maxActiveObserved"] for a in acc.values()] or [s["maxActiveObserved"]]
    r = dict(label=label, tasks=len(tasks), busy=busy, rate=rate, rate_p=rate * SCALE,
             per_min=min(per_rate.values()), per_max=max(per_rate.values()), stored=len(st), breaches=breaches(s),
             b=s["breaches"], peaks=(min(peaks), max(peaks)), accounts=naccounts,
             # what k slots allow: a slot is held from submit to the check that sees the end (about 80 provider s)
             load=opt(d, "loadavg"), **window_rates(d, c[0], c[-1]))
    json.dump(r, open(os.path.join(d, "result.json"), "w"))
    print(f"  {label}: {len(tasks)} tasks over {busy:.1f} s real: {rate:.2f} submits/s real = {rate * SCALE:.4f} per "
          f"provider s; per account {r['per_min'] * SCALE:.4f}..{r['per_max'] * SCALE:.4f}; peak active per account "
          f"{r['peaks']}; {len(st)} stored; breaches {r['breaches']}; database {r.get('xacts', 0):.0f} transactions/s; "
          f"cores used {fmt_cores(r.get('cores'))}; other load {r['load']}")

def report(run):
    """results.md: the machine, then every figure beside its goal"""
    def res(name):
        f = os.path.join(run, name, "result.json")
        return json.load(open(f)) if os.path.exists(f) else None
    spacing = 1.0 * SCALE
    lines = [open(os.path.join(run, "machine.md")).read().rstrip(), "",
             "| scenario | measure | value | goal | |", "|---|---|---|---|---|"]
    row = lambda *c: lines.append("| " + " | ".join(str(x) for x in c) + " |")
    verdict = lambda ok: "met" if ok else "**missed**"
    base = res("makespan-pg-1")
    for name, label in (("makespan-pg-1", "1 node, PostgreSQL"), ("makespan-pg-3", "3 nodes, PostgreSQL"),
                        ("makespan-file-1", "1 node, file repository")):
        r = res(name)
        if not r:
            continue
        cores = r.get("cores") or {}
        row(f"Makespan, {label} ({r['tasks']} jobs, {SLOTS} slots)", "makespan (first submit → last stored)",
            f"{r['makespan']:.0f} provider s ({r['real']:.1f} s real); {r['stored']} stored, {r['dead']} dead",
            "", "")
        if name == "makespan-pg-3" and base:
            d = r["makespan"] / base["makespan"] - 1
            row("", "against 1 node on PostgreSQL", f"{d * 100:+.1f} %", "within 3 %", verdict(abs(d) <= 0.03))
        elif name == "makespan-file-1" and base:
            row("", "against 1 node on PostgreSQL", f"{(r['makespan'] / base['makespan'] - 1) * 100:+.1f} %", "", "")
        row("", "makespan / quota bound; / poll-schedule bound", f"{r['makespan'] / r['quota']:.3f}; "
            f"{r['makespan'] / r['poll']:.3f}", "", "")
        row("", "limit breaches (whole run, warm-up included)", r["breaches"], "0", verdict(r["b"] == 0))
        row("", "peak active tasks; status checks per job (minimum)", f"{r['peak']} of {SLOTS}; {r['checks']:.2f} "
            f"({r['min_checks']:.2f})", "", "")
        row("", "first status check after its 60 s minimum: p50 / p90 / max", " / ".join(f"{x:.2f}" for x in r["late"])
            + " provider s", "", "")
        row("", "database transactions/s; cores used (nodes, PostgreSQL, sandbox)",
            f"{r.get('xacts', 0):.0f}; {cores.get('nodes', 0):.2f}, {cores.get('postgres', 0):.2f}, "
            f"{cores.get('sandbox', 0):.2f}", "", "")
        if r.get("lock_waits") and name != "makespan-file-1":
            row("", "sessions waiting for a lock: mean; share of samples with one",
                f"{r['lock_waits'][0]:.2f}; {r['lock_waits'][1] * 100:.0f} %", "", "")
        row("", "other processes on the machine meanwhile", r["load"], "", "")
    r = res("failover")
    if r:
        goal = 5 + spacing
        for mode, what in (("latest", "kill the node that made the latest submit"),
                           ("midpost", "kill the node whose POST is on the wire (gate held)")):
            x = r[mode]
            if not x["n"]:
                continue
            row(f"Failover, 3 nodes: {what}", "SIGKILL → next submit by another node, median / max",
                f"{x['median']:.2f} s / {x['max']:.2f} s over {x['n']} kills ({x['over_1s']} over 1 s; victim held "
                f"the gate at the last look in {x['held']})", f"≤ 5 s + 1 spacing = {goal:.2f} s",
                verdict(x["max"] <= goal))
        row("", "submit gaps away from the kills: median / p99 / max",
            f"{r['steady_median']:.3f} s / {r['steady_p99']:.3f} s / {r['steady_max']:.3f} s", "", "")
        row("", "limit breaches; prompts with more than one task", f"{r['breaches']}; {r['dup']}", "0; 0",
            verdict(r["b"] == 0 and r["dup"] == 0))
        row("", "other processes on the machine meanwhile", r["load"], "", "")
    one = res("accounts-3n-1acc")
    names = sorted((n for n in os.listdir(run) if n.startswith("accounts-")),
                   key=lambda n: (n != "accounts-3n-1acc", not n.startswith("accounts-3n"), n))
    single = next((res(n) for n in names if n.startswith("accounts-1n-")), None)
    for name in names:
        r = res(name)
        if not r:
            continue
        cores = r.get("cores") or {}
        row(f"Accounts: {r['label'].replace('n-', ' node(s), ').replace('acc', ' account(s)')} of {ACC_SLOTS} slots",
            "submits per provider second over the busy period",
            f"{r['rate_p']:.4f} ({r['rate']:.2f}/s real; {r['tasks']} jobs in {r['busy']:.1f} s real)", "", "")
        if one and r is not one and r["accounts"] > 1:
            x = r["rate"] / one["rate"]
            row("", f"against 3 nodes, 1 account", f"{x:.2f}×", f"≈ {r['accounts']}×",
                verdict(x >= 0.9 * r["accounts"]))
        if single and name != next(n for n in names if n.startswith("accounts-1n-")) and r["accounts"] > 1:
            row("", "against 1 node, the same accounts", f"{r['rate'] / single['rate']:.2f}×",
                "not capped by one node", "")
        row("", "per account (min..max); peak active per account",
            f"{r['per_min'] * SCALE:.4f}..{r['per_max'] * SCALE:.4f}; {r['peaks'][0]}..{r['peaks'][1]} of {ACC_SLOTS}", "", "")
        row("", "limit breaches", r["breaches"], "0", verdict(r["b"] == 0))
        row("", "database transactions/s; cores used (nodes, PostgreSQL, sandbox)",
            f"{r.get('xacts', 0):.0f}; {cores.get('nodes', 0):.2f}, {cores.get('postgres', 0):.2f}, "
            f"{cores.get('sandbox', 0):.2f}", "", "")
        row("", "other processes on the machine meanwhile", r["load"], "", "")
    open(os.path.join(run, "results.md"), "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))

if __name__ == "__main__":
    cmd = sys.argv[1]
    SLOTS, ACC_SLOTS = int(os.environ.get("SLOTS", 5)), int(os.environ.get("ACC_SLOTS", 3))
    if cmd == "report":
        report(sys.argv[2])
    if cmd == "makespan":
        makespan(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "failover":
        failover(sys.argv[2])
    elif cmd == "accounts":
        accounts(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
PY
analyze() { SCALE=$SCALE SLOTS=$SLOTS ACC_SLOTS=$ACC_SLOTS python3 "$RUN/analyze.py" "$@" | tee -a "$RUN/analysis.txt"; }

# ---------------------------------------------------------------- makespan
makespan_drop() { # tag, count: into the inboxes in turn
  local i
  for i in $(seq "$2"); do drop "$MS_DIR" $(((i % MS_NODES) + 1)) "$i" "$1"; done
}
scenario_makespan() {
  local label repo nodes dir i
  for label in $MAKESPAN_RUNS; do
    case "$label" in file-*) repo=file ;; *) repo=postgresql ;; esac
    nodes=${label#*-}
    dir="$RUN/makespan-$label"
    mkdir -p "$dir"
    say "makespan, $nodes node(s) on the $repo repository: $JOBS jobs, $SLOTS slots"
    [ "$repo" = postgresql ] && fresh_db
    start_sandbox "$dir" --time-scale "$SCALE" --tariff "$SLOTS"
    common_props "$dir" "$repo" -Dsora.provider.yesai.base-url="$URL" -Dsora.provider.yesai.token=sandbox-token \
      -Dsora.provider.yesai.tariff="$SLOTS"
    MS_DIR=$dir MS_NODES=$nodes
    batch_run "$dir" "$nodes" "$JOBS" 600 makespan_drop
    analyze makespan "$dir" "$label" "$SLOTS"
  done
}

# ---------------------------------------------------------------- failover
latest_submitter() { # dir, nodes: the node whose log names the highest task id
  local dir=$1 best=0 who=1 n id
  for n in $(seq "$2"); do
    id=$(grep -o 'submitted as task [0-9]*' "$dir/node-$n.log" 2>/dev/null | tail -1 | awk '{print $4}' || true)
    id=${id:-0}
    if [ "$id" -gt "$best" ]; then best=$id; who=$n; fi
  done
  echo "$who"
}
submits_of() { grep -c 'submitted as task' "$1" 2>/dev/null || true; }
gate_holder() { # the node whose process id is in the submit gate's holder name (host/pid/random), else empty
  local holder n
  holder=$(sql "select coalesce(body->>'submitBusyBy', '') from sora_account" 2>/dev/null | head -1 || true)
  [ -n "$holder" ] || return 0
  for n in "${!NODE_PID[@]}"; do
    [[ "$holder" == */"${NODE_PID[$n]}"/* ]] && echo "$n"
  done
  return 0
}
# One kill: latest (the node that made the latest submit, whatever it is doing now) or midpost (the node that
# holds the submit gate with its POST on the wire: the sandbox is frozen with SIGSTOP until a node took the gate
# and sent its POST, that node is killed, and the sandbox thawed; the worst case the lease exists for).
failover_round() { # dir, nodes, k, mode
  local dir=$1 nodes=$2 k=$3 mode=$4 v="" holder t_kill n lives moved
  declare -A before=()
  if [ "$mode" = midpost ]; then
    # Frozen for at most a second, well inside the lease: a longer freeze would let the leases of the calls on
    # the wire lapse, and the sandbox would then see those calls and their successors arrive together at the thaw.
    local tries=0 deadline
    while :; do
      kill -STOP "$SANDBOX_PID"
      deadline=$(($(date +%s%3N) + 1000))
      while [ "$(date +%s%3N)" -lt "$deadline" ]; do v=$(gate_holder); [ -n "$v" ] && break; done
      [ -n "$v" ] && break
      kill -CONT "$SANDBOX_PID"
      tries=$((tries + 1))
      if [ $tries -ge 5 ]; then say "  kill $k: no node took the submit gate in 5 freezes of 1 s; skipped"; return 0; fi
      sleep 1
    done
    holder=$v
  else
    v=$(latest_submitter "$dir" "$nodes")
    holder=$(gate_holder)
  fi
  for n in $(seq "$nodes"); do before[$n]=$(submits_of "$dir/node-$n.log"); done
  kill -9 "${NODE_PID[$v]}"
  t_kill=$(date +%s%3N)
  [ "$mode" = midpost ] && kill -CONT "$SANDBOX_PID"
  wait "${NODE_PID[$v]}" 2>/dev/null || true
  printf '%s\t%s\t%s\t%s\t%s\n' "$k" "$v" "$t_kill" "${holder:+node $holder}" "$mode" >>"$dir/kills.tsv"
  # until another node logged a submit (at most 30 s), then the victim comes back
  for _ in $(seq 300); do
    moved=0
    for n in $(seq "$nodes"); do
      [ "$n" = "$v" ] && continue
      [ "$(submits_of "$dir/node-$n.log")" -gt "${before[$n]}" ] && moved=1
    done
    [ $moved = 1 ] && break
    sleep 0.1
  done
  lives=$(grep -c 'pipeline sora ready' "$dir/node-$v.log" || true)
  start_node "$dir" "$v"
  wait_ready "$dir" "$v" "$lives"
  say "  kill $k ($mode): node $v, gate holder at the kill: ${holder:-none}"
  sleep 1
}
scenario_failover() {
  local dir="$RUN/failover" nodes=3 n k i=0 pause
  mkdir -p "$dir"
  say "failover: $nodes nodes, a job every $FEED_MS ms, $FO_SLOTS slots; $KILLS kills of the latest submitter," \
    "then $MIDPOST_KILLS of a node with its POST on the wire"
  fresh_db
  start_sandbox "$dir" --time-scale "$SCALE" --tariff "$FO_SLOTS"
  common_props "$dir" postgresql -Dsora.provider.yesai.base-url="$URL" -Dsora.provider.yesai.token=sandbox-token \
    -Dsora.provider.yesai.tariff="$FO_SLOTS"
  wait_quiet
  load_begin "$dir"
  for n in $(seq $nodes); do start_node "$dir" "$n"; done
  for n in $(seq $nodes); do wait_ready "$dir" "$n"; done
  # the steady stream: one job every FEED_MS into the nodes' inboxes in turn (a killed node's wait for it)
  pause=$(python3 -c "print($FEED_MS / 1000)")
  (
    i=0
    while [ ! -e "$dir/feed.stop" ]; do
      i=$((i + 1))
      drop "$dir" $(((i % nodes) + 1)) "$i" fo
      sleep "$pause"
    done
  ) &
  FEED_PID=$!
  for _ in $(seq 300); do [ "$(cat "$dir"/node-*.log | grep -c 'submitted as task')" -ge 10 ] && break; sleep 0.1; done
  : >"$dir/kills.tsv"
  for k in $(seq "$KILLS"); do failover_round "$dir" $nodes "$k" latest; done
  for k in $(seq $((KILLS + 1)) $((KILLS + MIDPOST_KILLS))); do failover_round "$dir" $nodes "$k" midpost; done
  touch "$dir/feed.stop"
  wait "$FEED_PID" 2>/dev/null || true
  FEED_PID=
  sleep 3
  curl -s "$URL/sandbox/stats" >"$dir/stats.json"
  load_end "$dir"
  stop_nodes
  stop_sandbox
  analyze failover "$dir"
}

# ---------------------------------------------------------------- accounts
accounts_drop() { # tag, count: job i goes to account (i mod accounts) + 1, and into the inboxes in turn
  local i a
  for i in $(seq "$2"); do
    a=$(((i % ACC_N) + 1))
    drop "$ACC_DIR" $(((i % ACC_NODES) + 1)) "$i" "$1-p$a" "p$a"
  done
}
scenario_accounts() {
  local label nodes naccounts dir i a providers sandbox_flags
  for spec in "3n-1acc:3:1" "3n-${ACCOUNTS}acc:3:$ACCOUNTS" "1n-${ACCOUNTS}acc:1:$ACCOUNTS"; do
    IFS=: read -r label nodes naccounts <<<"$spec"
    dir="$RUN/accounts-$label"
    mkdir -p "$dir"
    local jobs=$((ACC_JOBS * naccounts))
    say "accounts, $nodes node(s), $naccounts account(s) of $ACC_SLOTS slots: $jobs jobs"
    fresh_db
    sandbox_flags=(--token tok1 --tariff "$ACC_SLOTS")
    for a in $(seq 2 "$naccounts"); do sandbox_flags+=(--account "tok$a:$ACC_SLOTS"); done
    start_sandbox "$dir" --time-scale "$SCALE" "${sandbox_flags[@]}"
    providers=$(seq -s, -f 'p%g' 1 "$naccounts")
    local props=(-Dsora.providers="$providers" -Dsora.default-provider=p1)
    for a in $(seq "$naccounts"); do
      props+=(-Dsora.provider.p$a.type=yesai -Dsora.provider.p$a.base-url="$URL" -Dsora.provider.p$a.token=tok$a
        -Dsora.provider.p$a.tariff="$ACC_SLOTS")
    done
    common_props "$dir" postgresql "${props[@]}"
    ACC_DIR=$dir ACC_NODES=$nodes ACC_N=$naccounts
    batch_run "$dir" "$nodes" "$jobs" 600 accounts_drop
    analyze accounts "$dir" "$label" "$ACC_SLOTS" "$naccounts"
  done
}

for s in "$@"; do
  t0=$(date +%s)
  "scenario_$s"
  say "$s took $(($(date +%s) - t0)) s"
done
echo "- parameters: $0 $*; SCALE=$SCALE TICK=$TICK JOBS=$JOBS SLOTS=$SLOTS WARMUP=$WARMUP KILLS=$KILLS" \
  "MIDPOST_KILLS=$MIDPOST_KILLS FEED_MS=$FEED_MS FO_SLOTS=$FO_SLOTS ACCOUNTS=$ACCOUNTS ACC_SLOTS=$ACC_SLOTS ACC_JOBS=$ACC_JOBS;" \
  "bench took $(($(date +%s) - START)) s" >>"$RUN/machine.md"
analyze report "$RUN" >/dev/null
cat "$RUN/results.md"
say "done in $(($(date +%s) - START)) s; results in $RUN (results.md, analysis.txt, */result.json)"
