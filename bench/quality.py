#!/usr/bin/env python3
"""make bench-quality: Lectern's algorithms and implicit 0.7.3's under one identical split.

    python3 bench/quality.py LECTERN_BINARY [INTERACTIONS_CSV] [OUTDIR]

Reads SeedData's interactions (the data the repository carries), weights each learner-course pair as
Lectern does (view 1, wishlist 2, enroll 3, purchase 5, complete 5, rating 4*(r-3)/2, refund -5;
pairs with a total <= 0 dropped), splits the pairs with implicit's train_test_split (80/20, seed 42),
and keeps only test pairs whose learner and course are in training and that are not in training
(Lectern's protocol, applied here so both sides score the same pairs). Lectern is run through
`lectern evaluate --train --test`; implicit's ALS, BPR and item-kNN are scored with
implicit.evaluation.ranking_metrics_at_k. Both report precision (implicit's definition), MAP, NDCG
and AUC at K = 10.
"""
import csv
import json
import os
import subprocess
import sys
from collections import defaultdict

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
from scipy.sparse import coo_matrix

import warnings

import implicit
from implicit.als import AlternatingLeastSquares
from implicit.bpr import BayesianPersonalizedRanking
from implicit.evaluation import ranking_metrics_at_k, train_test_split
from implicit.nearest_neighbours import BM25Recommender, CosineRecommender

warnings.filterwarnings("ignore", category=UserWarning)
WEIGHTS = {"view": 1, "wishlist": 2, "enroll": 3, "purchase": 5, "complete": 5, "refund": -5}


def main():
    lectern = sys.argv[1]
    source = sys.argv[2] if len(sys.argv) > 2 else "SeedData/interactions.csv"
    out = sys.argv[3] if len(sys.argv) > 3 else "bench/out/quality"
    os.makedirs(out, exist_ok=True)
    totals = defaultdict(float)
    with open(source) as f:
        for row in csv.DictReader(f):
            kind = row["kind"]
            weight = 4 * (int(row["value"]) - 3) / 2 if kind == "rate" else WEIGHTS[kind]
            totals[(row["user"], row["course"])] += weight
    pairs = [(u, i, w) for (u, i), w in totals.items() if w > 1e-6]
    users = sorted({u for u, _, _ in pairs})
    items = sorted({i for _, i, _ in pairs})
    uix = {u: n for n, u in enumerate(users)}
    iix = {i: n for n, i in enumerate(items)}
    matrix = coo_matrix(([w for _, _, w in pairs], ([uix[u] for u, _, _ in pairs], [iix[i] for _, i, _ in pairs])),
                        shape=(len(users), len(items)), dtype=np.float32).tocsr()
    train, test = train_test_split(matrix, train_percentage=0.8, random_state=42)
    train, test = train.tocsr(), test.tocsr()
    # Lectern's protocol: drop test pairs whose learner or course is not in training, or already in it.
    train_users = np.diff(train.indptr) > 0
    train_items = np.zeros(len(items), dtype=bool)
    train_items[train.indices] = True
    test = test.tocoo()
    keep = train_users[test.row] & train_items[test.col] & (np.asarray(train[test.row, test.col]).ravel() == 0)
    test = coo_matrix((test.data[keep], (test.row[keep], test.col[keep])), shape=matrix.shape).tocsr()
    print("== Offline quality, K = 10: %d learners x %d courses, %d train pairs, %d test pairs (80/20 split, seed 42) =="
          % (len(users), len(items), train.nnz, test.nnz))

    for name, data in (("train.csv", train), ("test.csv", test)):
        with open(os.path.join(out, name), "w") as f:
            f.write("user,item,weight\n")
            coo = data.tocoo()
            for r, c, w in zip(coo.row, coo.col, coo.data):
                f.write("%s,%s,%g\n" % (users[r], items[c], w))
    result = subprocess.run([lectern, "evaluate", "--train", os.path.join(out, "train.csv"), "--test", os.path.join(out, "test.csv"),
                             "--k", "10", "--algorithm", "itemknn,als,popular,hybrid", "--metrics", "precision,map,ndcg,auc",
                             "--format", "json"], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("lectern evaluate failed: " + result.stderr)
    rows = [("lectern " + r["algorithm"], r["precision"], r["map"], r["ndcg"], r["auc"]) for r in json.loads(result.stdout)]

    confidence = train.copy()
    confidence.data = 1.0 + confidence.data
    models = [
        ("implicit als", AlternatingLeastSquares(factors=64, iterations=15, regularization=0.01, random_state=42, use_gpu=False), confidence),
        ("implicit bpr", BayesianPersonalizedRanking(factors=64, iterations=100, random_state=42, use_gpu=False), train),
        ("implicit cosine", CosineRecommender(K=50), train),
        ("implicit bm25", BM25Recommender(K=50, K1=1.2, B=0.75), train),
    ]
    for name, model, data in models:
        model.fit(data, show_progress=False)
        m = ranking_metrics_at_k(model, data, test, K=10, show_progress=False)
        rows.append((name, m["precision"], m["map"], m["ndcg"], m["auc"]))
    print("%-18s %10s %10s %10s %10s" % ("model", "precision", "map", "ndcg", "auc"))
    for name, p, mp, nd, auc in rows:
        print("%-18s %10.4f %10.4f %10.4f %10.4f" % (name, p, mp, nd, auc))


if __name__ == "__main__":
    assert implicit.__version__ == "0.7.3"
    main()
