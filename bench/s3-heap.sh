#!/usr/bin/env bash
# Does storing a video in S3 keep memory flat? One large video (500 MB by default) goes through the whole
# pipeline, run standalone with the heap capped at 128 MB: the built-in sandbox provider serves it, the
# request comes from the inbox folder, and the video goes up to S3Proxy (an S3 store on 127.0.0.1, a process
# of its own) by multipart upload. PASS: the pipeline exits normally and the stored object has every byte.
# It reports the elapsed time, the pipeline's maximum resident set size and its peak heap use.
#
#   bench/s3-heap.sh                      # from the project root; needs Java 17, Maven, GNU time
#   BYTES=1000000000 HEAP=96m bench/s3-heap.sh
#   KEEP=1 bench/s3-heap.sh               # keep the work folder and its logs even on PASS
#
# Needs about 3 x BYTES of free disk under ${TMPDIR:-/tmp} (the part file, the parts, the object).
set -euo pipefail
cd "$(dirname "$0")/.."

BYTES=${BYTES:-500000000}
HEAP=${HEAP:-128m}
BUCKET=sora-bench
ACCESS_KEY=sora-test-key      # S3ProxyServer's fixed test key pair
SECRET_KEY=sora-test-secret
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sora-s3-heap.XXXXXX")
S3_PID=

stop_s3proxy() {
  if [[ -n "$S3_PID" ]] && kill -0 "$S3_PID" 2>/dev/null; then
    kill "$S3_PID"
    wait "$S3_PID" 2>/dev/null || true
  fi
  S3_PID=
}
trap stop_s3proxy EXIT

command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time; Debian: apt-get install time)"; exit 2; }

echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB memory, $(java -version 2>&1 | sed -n 1p)"
echo "building and resolving the classpath (work folder $WORK)..."
# the app module and what it needs; every module writes the (absolute) output file, the app last
mvn -q -B -ntp -pl app -am test-compile dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$WORK/runtime.cp"
mvn -q -B -ntp -pl app -am test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/test.cp"

java -cp "app/target/test-classes:app/target/classes:$(cat "$WORK/test.cp")" dev.soracamel.s3.S3ProxyMain \
  --dir "$WORK/s3" --bucket "$BUCKET" --endpoint-file "$WORK/s3.endpoint" > "$WORK/s3proxy.log" 2>&1 &
S3_PID=$!
for _ in $(seq 1 300); do
  [[ -s "$WORK/s3.endpoint" ]] && break
  kill -0 "$S3_PID" 2>/dev/null || { echo "S3Proxy did not start:"; cat "$WORK/s3proxy.log"; exit 1; }
  sleep 0.2
done
[[ -s "$WORK/s3.endpoint" ]] || { echo "S3Proxy did not start within 60 s"; exit 1; }
ENDPOINT=$(cat "$WORK/s3.endpoint")
echo "S3Proxy (pid $S3_PID) at $ENDPOINT"

# The sandbox copies the requests in sora.sandbox.examples into the inbox at start.
mkdir -p "$WORK/requests"
cat > "$WORK/requests/big.json" <<EOF
{"version": "2", "prompt": "A slow flight over a mountain range [sandbox:bytes=$BYTES]", "resolution": 720,
 "dimensions": "16:9", "duration": 10, "customer_id": "bench"}
EOF

echo "pipeline: -Xmx$HEAP, one video of $BYTES bytes, sandbox -> inbox folder -> S3 multipart upload..."
start=$(date +%s.%N)
rc=0
SORA_S3_ACCESS_KEY=$ACCESS_KEY SORA_S3_SECRET_KEY=$SECRET_KEY \
/usr/bin/time -v -o "$WORK/time.txt" \
  java -Xmx"$HEAP" -Xlog:gc:file="$WORK/gc.log" -cp "app/target/classes:$(cat "$WORK/runtime.cp")" \
  -Dsora.inbox="$WORK/data/inbox" -Dsora.archive="$WORK/data/archive" -Dsora.outbox="$WORK/data/outbox" \
  -Dsora.dead-letter.folder="$WORK/data/dead-letter" -Dsora.work="$WORK/data/work" \
  -Dsora.sandbox.enabled=true -Dsora.sandbox.examples="$WORK/requests" -Dsora.sandbox.exit-when-idle=true \
  -Dsora.s3.endpoint-override="$ENDPOINT" -Dsora.s3.force-path-style=true -Dsora.s3.checksums=when-required \
  -Dsora.store.s3.bucket="$BUCKET" -Dsora.store.endpoint='{{sora.store.s3.endpoint}}' \
  dev.soracamel.app.Application > "$WORK/pipeline.log" 2>&1 || rc=$?
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
stop_s3proxy

object="$WORK/s3/$BUCKET/videos/bench/big.mp4"
size=$( [[ -f "$object" ]] && stat -c %s "$object" || echo 0)
head=$( [[ -f "$object" ]] && head -c 8 "$object" | tail -c 4 || true)
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
# "GC(7) Pause Young (Normal) (G1 Evacuation Pause) 52M->9M(128M) 4.1ms": the heap in use before each GC
# (how far garbage piled up) and after it (what was still alive: a buffered video would show here)
peak_heap=$(grep -oE '[0-9]+M->[0-9]+M' "$WORK/gc.log" | cut -dM -f1 | sort -n | tail -1)
live_heap=$(grep -oE '[0-9]+M->[0-9]+M' "$WORK/gc.log" | cut -d'>' -f2 | tr -d M | sort -n | tail -1)
gcs=$(grep -cE 'GC\([0-9]+\) Pause' "$WORK/gc.log" || true)

verdict=PASS
[[ $rc -eq 0 ]] || { verdict=FAIL; echo "the pipeline exited with $rc"; }
[[ "$size" == "$BYTES" ]] || { verdict=FAIL; echo "stored object: $size bytes, expected $BYTES"; }
[[ "$head" == "ftyp" ]] || { verdict=FAIL; echo "stored object does not start like an MP4"; }
grep -q "stored: s3://$BUCKET/videos/bench/big.mp4" "$WORK/pipeline.log" || { verdict=FAIL; echo "no 'stored' line in the log"; }
if grep -q OutOfMemoryError "$WORK/pipeline.log"; then verdict=FAIL; echo "OutOfMemoryError in the log"; fi

echo
echo "result:   $verdict"
echo "video:    $BYTES bytes -> s3://$BUCKET/videos/bench/big.mp4 ($size bytes stored)"
echo "elapsed:  $elapsed s (JVM start, sandbox schedule, download, upload, exit)"
echo "max RSS:  $((rss_kb / 1024)) MiB (pipeline JVM, -Xmx$HEAP)"
echo "heap:     at most ${live_heap:-?} MiB live after a GC, ${peak_heap:-?} MiB in use before one ($gcs GC pauses)"
grep -E "job big .*(downloading|stored)" "$WORK/pipeline.log" | sed 's/^/log:      /' || true

if [[ $verdict == PASS && -z "${KEEP:-}" ]]; then
  rm -rf "$WORK"
elif [[ $verdict == PASS ]]; then
  echo "logs kept in $WORK (pipeline.log, s3proxy.log, time.txt, gc.log)"
else
  echo "logs kept in $WORK (pipeline.log, s3proxy.log, time.txt, gc.log)"
  exit 1
fi
