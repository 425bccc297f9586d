#!/usr/bin/env python3
"""Writes implicit_metrics.json: recommendation lists made by implicit 0.7.3's ALS and the metrics
`implicit.evaluation.ranking_metrics_at_k` computes from them.

The Swift tests feed the same lists and held-out sets into Lectern's metric code and compare; they
need no Python. Run once (needs numpy, scipy and `pip install implicit==0.7.3`):
    python3 Tests/LecternRecommenderTests/Fixtures/make_metrics_fixture.py
"""
import json
import os

import numpy as np
from scipy.sparse import csr_matrix

import implicit
from implicit.cpu.als import AlternatingLeastSquares
from implicit.evaluation import ranking_metrics_at_k, train_test_split

assert implicit.__version__ == "0.7.3", implicit.__version__

K = 10
rng = np.random.default_rng(20261130)
users, items = 80, 120
# Power-law course popularity; most learners touch a few courses, five touch many, so that some
# learners hold out fewer than K courses and some more (min(K, |relevant|) takes both branches).
popularity = 1.0 / np.arange(1, items + 1) ** 0.7
popularity /= popularity.sum()
rows, cols = [], []
for user in range(users):
    count = 75 if user < 5 else int(rng.integers(3, 20))
    chosen = rng.choice(items, size=count, replace=False, p=popularity)
    rows.extend([user] * count)
    cols.extend(chosen.tolist())
vals = rng.integers(1, 6, len(rows)).astype(np.float32)
ratings = csr_matrix((vals, (rows, cols)), shape=(users, items), dtype=np.float32)
ratings.sum_duplicates()
ratings.sort_indices()

# Every stored entry goes to exactly one side, so train and test never share a pair.
train, test = train_test_split(ratings, train_percentage=0.8, random_state=7)
train, test = train.tocsr(), test.tocsr()
train.sort_indices()
test.sort_indices()
assert train.multiply(test).nnz == 0

model = AlternatingLeastSquares(factors=8, iterations=10, regularization=0.05, random_state=3, num_threads=1)
model.fit(train, show_progress=False)

metrics = ranking_metrics_at_k(model, train, test, K=K, show_progress=False, num_threads=1)

# The lists ranking_metrics_at_k scores: every learner with a held-out course, recommended with
# the train row (already-liked courses filtered, implicit's default), N = K.
evaluated = np.arange(users, dtype=np.int32)[np.ediff1d(test.indptr) > 0]
ids, _ = model.recommend(evaluated, train[evaluated], N=K)
learners = []
for row, user in enumerate(evaluated):
    relevant = test.indices[test.indptr[user]:test.indptr[user + 1]].tolist()
    learners.append({
        "user": int(user),
        "recommended": [int(i) for i in ids[row]],
        "relevant": [int(i) for i in relevant],
        "train": train.indices[train.indptr[user]:train.indptr[user + 1]].tolist(),
    })

# Recompute from the lists as evaluation.pyx defines it, to be sure these are the lists it scored.
hits_total = divisor = ap_sum = ndcg_sum = auc_sum = 0.0
discount = 1.0 / np.log2(np.arange(2, K + 2))
for learner in learners:
    likes = set(learner["relevant"])
    recs = learner["recommended"]
    cut = min(K, len(likes))
    divisor += cut
    idcg = discount.cumsum()[cut - 1]
    hit = miss = ap = auc = ndcg = 0.0
    for i in range(K):
        if i < len(recs) and recs[i] in likes:
            hits_total += 1
            hit += 1
            ap += hit / (i + 1)
            ndcg += discount[i] / idcg
        else:
            miss += 1
            auc += hit
    positives, negatives = len(likes), items - len(likes)
    auc += ((hit + positives) / 2.0) * (negatives - miss)
    ap_sum += ap / cut
    ndcg_sum += ndcg
    auc_sum += auc / (positives * negatives)
n = len(learners)
again = {"precision": hits_total / divisor, "map": ap_sum / n, "ndcg": ndcg_sum / n, "auc": auc_sum / n}
for name, value in again.items():
    assert abs(value - metrics[name]) < 1e-9, (name, value, metrics[name])

out = {
    "implicit_version": implicit.__version__,
    "K": K,
    "users": users,
    "items": items,
    "learners": learners,
    "metrics": {name: float(value) for name, value in metrics.items()},
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "implicit_metrics.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(path, len(learners), "learners", out["metrics"])
