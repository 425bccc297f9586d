#!/usr/bin/env python3
"""Lectern vs implicit 0.7.3 on the same matrices, side by side in one run.

    python3 bench/compare.py LECTERN_BENCH DB LABEL OUTDIR

Exports the learner x course matrix Lectern trains on from DB, then trains item-kNN (cosine and
BM25, K=50) and ALS (64 factors, 15 iterations) with each library in its own process, measuring
wall time of training and the process's peak memory (ru_maxrss). Prints a table with
Lectern/implicit ratios, checks that the item-kNN neighbour lists are equal, and compares the
latency of a recommendation served by each (Lectern: a cached `recommend` in process; implicit:
model.recommend in process).
"""
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def run(command):
    """Runs a command that prints JSON on its last line; returns it."""
    process = subprocess.run(command, capture_output=True)
    if process.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(command), process.stderr.decode()))
    return json.loads(process.stdout.decode().strip().splitlines()[-1])


def run_measured(command):
    """Runs a command with os.wait4 to get its own peak RSS."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(command), err.decode()))
    return json.loads(out.decode().strip().splitlines()[-1]), usage.ru_maxrss / 1024.0


def neighbours(directory, prefix):
    indptr = np.fromfile(os.path.join(directory, prefix + ".indptr.i64"), dtype="<i8")
    indices = np.fromfile(os.path.join(directory, prefix + ".indices.i32"), dtype="<i4")
    scores = np.fromfile(os.path.join(directory, prefix + ".scores.f64"), dtype="<f8")
    return indptr, indices, scores


def compare_neighbours(directory, algorithm):
    """Courses whose neighbour lists differ (own entry and exact ties at the cut-off aside)."""
    a_ptr, a_idx, a_sc = neighbours(directory, algorithm)
    b_ptr, b_idx, b_sc = neighbours(directory, algorithm + ".implicit")
    differing, worst = 0, 0.0
    for i in range(len(a_ptr) - 1):
        ours = {int(j): float(s) for j, s in zip(a_idx[a_ptr[i]:a_ptr[i + 1]], a_sc[a_ptr[i]:a_ptr[i + 1]]) if j != i}
        theirs = {int(j): float(s) for j, s in zip(b_idx[b_ptr[i]:b_ptr[i + 1]], b_sc[b_ptr[i]:b_ptr[i + 1]]) if j != i}
        cutoff = min(list(ours.values()) + list(theirs.values()) or [0.0])
        bad = False
        for j in set(ours) | set(theirs):
            if j in ours and j in theirs:
                worst = max(worst, abs(ours[j] - theirs[j]))
                bad |= abs(ours[j] - theirs[j]) > 1e-4
            else:
                bad |= abs(ours.get(j, theirs.get(j)) - cutoff) > 1e-4
        differing += bad
    return differing, worst


def main():
    bench, db, label, out = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    shape = run([bench, "export-matrix", db, out])
    print("\n== %s: %d learners x %d courses, %d nonzeros ==" % (label, shape["rows"], shape["columns"], shape["nnz"]))
    print("%-16s %12s %12s %8s %12s %12s %8s  %s" % ("model", "lectern s", "implicit s", "ratio", "lectern MiB",
                                                     "implicit MiB", "ratio", "check"))
    python = sys.executable
    for algorithm, args in [("itemknn-cosine", ["50"]), ("itemknn-bm25", ["50"]), ("als", ["64", "15"])]:
        ours, our_mem = run_measured([bench, "train", out, algorithm] + args)
        theirs, their_mem = run_measured([python, os.path.join(HERE, "implicit_train.py"), out, algorithm] + args)
        if algorithm.startswith("itemknn"):
            differing, worst = compare_neighbours(out, algorithm)
            check = "neighbour lists equal" if differing == 0 else "%d courses differ" % differing
            check += " (max |score diff| %.1e)" % worst
        else:
            check = "loss on observed pairs: lectern %.4g, implicit %.4g" % (ours["observed_loss"], theirs["observed_loss"])
        print("%-16s %12.3f %12.3f %8.2f %12.1f %12.1f %8.2f  %s" % (
            algorithm, ours["seconds"], theirs["seconds"], ours["seconds"] / theirs["seconds"],
            our_mem, their_mem, our_mem / their_mem, check))
    latency = run([bench, "recommend-latency", db, "2000"])
    implicit_latency = run([python, os.path.join(HERE, "implicit_train.py"), out, "als-latency", "2000"])
    print("%-16s %12s %12s" % ("recommend", "lectern ms", "implicit ms"))
    print("%-16s %12.3f %12.3f   (Lectern: cached hybrid list from SQLite; implicit: ALS model.recommend)" % (
        "  p50", latency["p50_ms"], implicit_latency["p50_ms"]))
    print("%-16s %12.3f %12.3f" % ("  p99", latency["p99_ms"], implicit_latency["p99_ms"]))


if __name__ == "__main__":
    main()
