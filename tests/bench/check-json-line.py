#!/usr/bin/env python3
# check-json-line.py: a benchmark in its quick mode prints one JSON line of positive figures
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import subprocess
import sys

bench, *keys = sys.argv[1:]
out = subprocess.run([bench, "--quick"], check=True, capture_output=True, text=True).stdout
lines = out.splitlines()
print("1..1")
try:
    assert len(lines) == 1, f"{len(lines)} lines"
    figures = json.loads(lines[0])
    for key in keys:
        assert isinstance(figures.get(key), (int, float)) and figures[key] > 0, f"{key}: {figures.get(key)}"
    print(f"ok 1 - {bench.rsplit('/', 1)[-1]} prints one JSON line with {len(keys)} figures")
except AssertionError as e:
    print(f"not ok 1 - {e}\n# {out!r}")
