#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# LeakSanitizer still catches the project's leaks under build-aux/lsan.supp: runs
# lsan-canary (built only with -Db_sanitize=address), which leaks a request, a vehicle from
# a worker thread and a string from a main loop callback, with the suppressions
# build-aux/check uses, and requires a report of each. A suppression that came to match a
# stack through the project's code makes this fail. TAP on stdout.
#
#   test-lsan-canary.py LSAN-CANARY SUPPRESSIONS

import os
import re
import subprocess
import sys

canary, suppressions = sys.argv[1], sys.argv[2]

env = dict(os.environ)
env["LSAN_OPTIONS"] = f"suppressions={suppressions}:print_suppressions=0"
# Whatever the caller's ASAN_OPTIONS, leaks are looked for and whole stacks unwound (the
# canary's frames sit under GLib's, which has no frame pointers).
env["ASAN_OPTIONS"] = ":".join(
    [opt for opt in env.get("ASAN_OPTIONS", "").split(":")
     if opt and not opt.startswith(("detect_leaks=", "fast_unwind_on_malloc="))]
    + ["detect_leaks=1", "fast_unwind_on_malloc=0"])
run = subprocess.run([canary], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, text=True, timeout=120)

# One block per leak: "Direct leak of N byte(s) in M object(s) allocated from:" and its frames.
blocks = re.split(r"\n(?=(?:Direct|Indirect) leak of )", run.stdout)
direct = [block for block in blocks if block.startswith("Direct leak of ")]

checks = [
    ("the canary exits with a failure", run.returncode != 0),
    ("LeakSanitizer reports leaks",
     "ERROR: LeakSanitizer: detected memory leaks" in run.stdout),
    ("a GObject of libtirkeu-core (tirkeu_request_new)",
     any(" in tirkeu_request_new " in block for block in direct)),
    ("a leak in a GTask worker thread (tirkeu_vehicle_new)",
     any(" in tirkeu_vehicle_new " in block for block in direct)),
    ("a leak in a main loop callback (leak_contract_in_idle)",
     any(" in leak_contract_in_idle " in block for block in direct)),
]

print(f"1..{len(checks)}")
failed = 0
for number, (name, passed) in enumerate(checks, 1):
    print(f"{'ok' if passed else 'not ok'} {number} - {name}")
    failed += not passed
if failed:
    sys.stderr.write(run.stdout)
sys.exit(1 if failed else 0)
