"""Runs commands one after another and reports, for each, its wall time and its own peak RSS.

Reads a JSON list from stdin: [{"argv": [...], "env": {...}, "stdout": FILE, "stderr": FILE}].
Prints a JSON list: [{"exitCode", "wallMs", "maxRssKiB", "userMs", "systemMs"}].
os.wait4 gives the rusage of exactly that child (ru_maxrss: its peak resident set, KiB on Linux), which
polling /proc cannot promise for a process that peaks just before it exits.
"""
import json
import os
import subprocess
import sys
import time

results = []
for cmd in json.load(sys.stdin):
    with open(cmd["stdout"], "wb") as out, open(cmd["stderr"], "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd["argv"], env=cmd["env"], stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    results.append({
        "exitCode": child.returncode,
        "wallMs": round(wall * 1000, 1),
        "maxRssKiB": usage.ru_maxrss,
        "userMs": round(usage.ru_utime * 1000, 1),
        "systemMs": round(usage.ru_stime * 1000, 1),
    })
json.dump(results, sys.stdout)
