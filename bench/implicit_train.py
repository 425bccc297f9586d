#!/usr/bin/env python3
"""implicit's side of the benchmark: train one model on a matrix written by `lectern-bench export-matrix`.

    python3 bench/implicit_train.py DIR ALGORITHM [K|FACTORS] [ITERATIONS]

ALGORITHM is itemknn-cosine, itemknn-bm25 or als. Prints {"seconds": ...}; for item-kNN it also
writes DIR/ALGORITHM.implicit.{indptr,indices,scores} so compare.py can check the neighbour lists.
"""
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # implicit's advice: its own threads, single-threaded BLAS

import numpy as np
from scipy.sparse import csr_matrix

import implicit
from implicit.als import AlternatingLeastSquares
from implicit.nearest_neighbours import BM25Recommender, CosineRecommender


def load(directory):
    with open(os.path.join(directory, "matrix.json")) as f:
        header = json.load(f)
    indptr = np.fromfile(os.path.join(directory, "indptr.i64"), dtype="<i8")
    indices = np.fromfile(os.path.join(directory, "indices.i32"), dtype="<i4")
    data = np.fromfile(os.path.join(directory, "data.f32"), dtype="<f4")
    return csr_matrix((data, indices, indptr), shape=(header["rows"], header["columns"]))


def main():
    directory, algorithm = sys.argv[1], sys.argv[2]
    matrix = load(directory)
    if algorithm.startswith("itemknn"):
        k = int(sys.argv[3]) if len(sys.argv) > 3 else 50
        model = CosineRecommender(K=k) if algorithm == "itemknn-cosine" else BM25Recommender(K=k, K1=1.2, B=0.75)
        start = time.perf_counter()
        model.fit(matrix, show_progress=False)
        seconds = time.perf_counter() - start
        sim = model.similarity.tocsr()
        sim.indptr.astype("<i8").tofile(os.path.join(directory, algorithm + ".implicit.indptr.i64"))
        sim.indices.astype("<i4").tofile(os.path.join(directory, algorithm + ".implicit.indices.i32"))
        sim.data.astype("<f8").tofile(os.path.join(directory, algorithm + ".implicit.scores.f64"))
        print(json.dumps({"seconds": seconds}))
    elif algorithm == "als":
        factors = int(sys.argv[3]) if len(sys.argv) > 3 else 64
        iterations = int(sys.argv[4]) if len(sys.argv) > 4 else 15
        # implicit takes the confidence as given; Lectern uses 1 + alpha * w (Hu et al.), alpha = 1.
        confidence = matrix.copy()
        confidence.data = 1.0 + confidence.data
        model = AlternatingLeastSquares(factors=factors, regularization=0.01, alpha=1.0, iterations=iterations,
                                        random_state=42, use_gpu=False, calculate_training_loss=False)
        start = time.perf_counter()
        model.fit(confidence, show_progress=False)
        seconds = time.perf_counter() - start
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        predicted = np.einsum("ij,ij->i", model.user_factors[rows], model.item_factors[matrix.indices])
        loss = float(np.sum((1.0 + matrix.data) * (1.0 - predicted) ** 2))
        print(json.dumps({"seconds": seconds, "observed_loss": loss}))
    elif algorithm == "als-latency":
        n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
        confidence = matrix.copy()
        confidence.data = 1.0 + confidence.data
        model = AlternatingLeastSquares(factors=64, regularization=0.01, iterations=15, random_state=42, use_gpu=False)
        model.fit(confidence, show_progress=False)
        rng = np.random.default_rng(1)
        users = rng.integers(0, matrix.shape[0], n)
        times = []
        for user in users:
            start = time.perf_counter()
            model.recommend(int(user), confidence[int(user)], N=10)
            times.append(time.perf_counter() - start)
        times.sort()
        print(json.dumps({"p50_ms": times[len(times) // 2] * 1000, "p99_ms": times[min(len(times) - 1, len(times) * 99 // 100)] * 1000}))
    else:
        sys.exit("unknown algorithm " + algorithm)


if __name__ == "__main__":
    assert implicit.__version__ == "0.7.3", "benchmarks compare with implicit 0.7.3, found " + implicit.__version__
    main()
