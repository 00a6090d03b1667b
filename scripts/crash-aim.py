#!/usr/bin/env python3
"""Kills the pipeline (SIGKILL) at an aimed moment; part of scripts/crash-test.sh.

usage: crash-aim.py submit|status|store PID WORK LOG_OFFSET MIN_UP MAX_WAIT SLOW_MS

submit / status: SLOW_MS/5 after the pipeline logged that a POST / a status GET left (ClaimGuard, DEBUG), so
the provider has the call and its answer, SLOW_MS late, has not come. store: the moment a new video appears in
the outbox, before the job's record says STORED. Only moments after MIN_UP seconds count; after MAX_WAIT
seconds the run is killed anyway. Prints one line: "landed: ..." or "missed: ...".
"""
import glob
import json
import os
import signal
import sys
import time

aim, pid, work, offset = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
min_up, max_wait, slow = float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]) / 1000
start = time.monotonic()
log_path = os.path.join(work, "pipeline.log")
outbox = os.path.join(work, "outbox")


def videos():
    return set(glob.glob(os.path.join(outbox, "*", "*.mp4")))


def record(request_id):
    try:
        with open(os.path.join(work, "work", "jobs", request_id + ".json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def states(wanted):
    out = []
    for path in glob.glob(os.path.join(work, "work", "jobs", "*.json")):
        try:
            with open(path) as f:
                job = json.load(f)
        except (OSError, ValueError):
            continue
        if job.get("state") == wanted:
            out.append(f"{job.get('requestId')} [{job.get('provider')}]")
    return out


def kill():
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def also():
    # with slow answers a kill aimed elsewhere may catch a submit on the wire too: say so, it costs a task
    if aim == "submit":
        return ""
    jobs = states("SUBMITTING")
    return f"; also a submit on the wire: {', '.join(jobs)}" if jobs else ""


def is_call(line):
    if "provider call leaves:" not in line:
        return False
    if aim == "submit":
        return " POST " in line
    # a status check: Yes Ai's status path, or GET /v1/videos/{id}; not /content, and not the list a lost
    # answer is looked up in (the sandbox answers that at once)
    call = line.rstrip()
    return " GET " in call and ("/animations/" in call or "/v1/videos/" in call) and not call.endswith("/content")


seen = videos()
log = open(log_path, "r", errors="replace")
log.seek(offset)
pending = ""
while True:
    now = time.monotonic() - start
    if now > max_wait:
        kill()
        print(f"missed: no {aim} moment within {max_wait:.0f} s, killed anyway{also()}")
        break
    armed = now >= min_up
    if aim == "store":
        current = videos()
        new = current - seen
        if new and armed:
            kill()
            name = os.path.basename(sorted(new)[0])[:-4]
            state = record(name).get("state")
            verdict = "landed" if state != "STORED" else "missed"
            print(f"{verdict}: killed {now:.2f} s in with {name}.mp4 in the outbox, its record {state}{also()}")
            break
        seen = current
        time.sleep(0.001)
        continue
    chunk = log.read()
    if not chunk:
        time.sleep(0.002)
        continue
    pending += chunk
    lines = pending.split("\n")
    pending = lines.pop()
    hit = next((l for l in lines if is_call(l)), None)
    if hit and armed:
        time.sleep(slow / 5)
        kill()
        call = hit.split("provider call leaves:", 1)[1].strip()
        # what the job records said at the kill: the call's job is SUBMITTING, or POLLING with its check counted
        wanted = "SUBMITTING" if aim == "submit" else "POLLING"
        jobs = states(wanted)
        print(f"landed: killed {slow / 5:.2f} s after {call} left ({wanted}: {', '.join(jobs) or 'none'}){also()}")
        break
