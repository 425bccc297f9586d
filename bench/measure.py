#!/usr/bin/env python3
"""Runs a command and prints one JSON line: its wall time and the peak resident memory of it and its
children (from getrusage, so no `time` package is needed).

    python3 bench/measure.py OUTFILE -- COMMAND ARGS...

The command's standard output goes to OUTFILE; its standard error passes through.
"""
import json
import resource
import subprocess
import sys
import time


def main():
    out, separator, command = sys.argv[1], sys.argv[2], sys.argv[3:]
    assert separator == "--" and command, __doc__
    start = time.perf_counter()
    with open(out, "w") as f:
        code = subprocess.run(command, stdout=f).returncode
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024, "exit": code}))
    sys.exit(code)


if __name__ == "__main__":
    main()
