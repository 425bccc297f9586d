#!/usr/bin/env python3
"""implicit 0.7.3's side of `make bench-scale`: ALS fit and recommend_all on a matrix written by
`lectern-bench export-matrix`, timed separately.

    python3 bench/implicit_scale.py DIR FACTORS ITERATIONS N

Prints {"fit_seconds": ..., "lists_seconds": ..., "rows": ...}. The confidence is 1 + w, as Lectern's
1 + alpha * w with alpha 1; already-seen courses are filtered, as Lectern leaves out owned ones.
"""
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # implicit's advice: its own threads, single-threaded BLAS

import numpy as np

from implicit.als import AlternatingLeastSquares

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from implicit_train import load  # noqa: E402  (the same reader of an exported matrix)


def main():
    directory, factors, iterations, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    matrix = load(directory)
    confidence = matrix.copy()
    confidence.data = 1.0 + confidence.data
    model = AlternatingLeastSquares(factors=factors, regularization=0.01, alpha=1.0, iterations=iterations,
                                    random_state=42, use_gpu=False, calculate_training_loss=False)
    start = time.perf_counter()
    model.fit(confidence, show_progress=False)
    fit = time.perf_counter() - start
    start = time.perf_counter()
    rows = 0
    block = 65536  # recommend_all in blocks, as implicit's own batch API does it, bounding memory
    for first in range(0, matrix.shape[0], block):
        users = np.arange(first, min(matrix.shape[0], first + block))
        ids, _ = model.recommend(users, confidence[users], N=n, filter_already_liked_items=True)
        rows += int(np.count_nonzero(ids >= 0))
    lists = time.perf_counter() - start
    print(json.dumps({"fit_seconds": fit, "lists_seconds": lists, "rows": rows}))


if __name__ == "__main__":
    main()
