#!/usr/bin/env bash
# The benchmark harness (issue #7): the real pipeline, run as the standalone application, against the
# sandbox with a scaled clock, side by side with the seed-001 baseline loop. Prints a table of every figure
# beside its goal; a full run also rewrites the results block of docs/BENCHMARKS.md.
#
#   bench/run.sh                    # everything (about 8 minutes on a 2-core machine)
#   bench/run.sh quota              # some scenarios: quota openai baseline streaming backlog
#                                   #   backlog-tuned startup (a partial run leaves docs/ alone)
#   BENCH_SCALE=0.01 bench/run.sh   # knobs: BENCH_SCALE BENCH_BASELINE_SCALE BENCH_JOBS BENCH_SLOTS
#                                   #   BENCH_BACKLOG_FILES BENCH_BACKLOG_TIMEOUT BENCH_BACKLOG_PROPS
#                                   #   BENCH_STREAM_BYTES BENCH_STARTUP_RUNS
#
# Not part of `mvn verify`: the bench classes are compiled with the tests but no test runs them.
# Work folders go to target/bench/run-<time>/ (the streaming scenario needs about 3 GB free there).
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p target/bench
echo "bench: building (mvn package -DskipTests)"
# absolute output paths: every module of the reactor writes them, the app module last
mvn -q -B -ntp -DskipTests -pl app -am package dependency:build-classpath -Dmdep.outputFile="$PWD/target/bench/cp-test.txt" >/dev/null

# the pipeline runs as shipped: the packaged app unpacked, every jar of its lib/ in the order bin/sora-camel puts
# them (an AppCDS archive, tried in the start-up scenario, needs the same jars in the same order)
DIST_TGZ=$(ls "$PWD"/app/target/sora-camel-*.tar.gz | sed -n 1p)
rm -rf target/bench/dist
mkdir -p target/bench/dist
tar xzf "$DIST_TGZ" -C target/bench/dist
APP_CP=
for jar in "$PWD"/target/bench/dist/sora-camel-*/lib/*.jar; do
  APP_CP=${APP_CP:+$APP_CP:}$jar
done
BENCH_CP="$PWD/app/target/test-classes:$PWD/app/target/classes:$(cat target/bench/cp-test.txt)"

DIST=$(ls -d "$PWD"/target/bench/dist/sora-camel-* | sed -n 1p)

exec java -Xmx1g -Dsun.net.httpserver.nodelay=true -Dbench.appcp="$APP_CP" -Dbench.dist="$DIST" -cp "$BENCH_CP" \
  dev.soracamel.bench.BenchMain "$@"
