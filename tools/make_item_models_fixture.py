#!/usr/bin/env python3
"""Writes Tests/LecternRecommenderTests/Fixtures/item_models.json: EASE and RP3beta computed with
numpy straight from their papers, on the learner x course matrix of implicit_knn.json.

    python3 tools/make_item_models_fixture.py

EASE (Steck 2019, https://arxiv.org/abs/1905.03375, the paper's listing):
    G = X^T X + lambda I;  P = G^-1;  B = P / (-diag(P));  diag(B) = 0;  scores = X B.
RP3beta (Paudel et al. 2017, as in Ferrari Dacrema et al.'s RP3betaRecommender.py):
    P_ui = X rows scaled to sum 1;  P_iu = (X^T != 0) rows scaled to sum 1;  both ** alpha;
    W = P_iu P_ui;  W[:, j] /= popularity(j) ** beta;  diag(W) = 0;  top-K per row;  scores = X W.
The Swift tests read the JSON and need no Python.
"""
import json
import os

import numpy as np
from scipy.sparse import csr_matrix

here = os.path.dirname(os.path.abspath(__file__))
fixtures = os.path.join(here, "..", "Tests", "LecternRecommenderTests", "Fixtures")
with open(os.path.join(fixtures, "implicit_knn.json")) as f:
    source = json.load(f)
users, items = source["users"], source["items"]
X = csr_matrix((np.array(source["data"], dtype=np.float64), source["indices"], source["indptr"]),
               shape=(users, items)).toarray()


def short(row):
    """Ten significant digits: the tests allow 1e-6 relative error anyway."""
    return [float(f"{x:.10g}") for x in row]


def top(scores, seen, n):
    """Each learner's best n unseen courses, ties to the lower index (as Lectern's TopK)."""
    out = []
    for u in range(scores.shape[0]):
        s = np.where(seen[u], -np.inf, scores[u])
        order = sorted(range(items), key=lambda j: (-s[j], j))
        out.append([j for j in order[:n] if np.isfinite(s[j]) and s[j] > 0])
    return out


def ease(lam):
    G = X.T @ X + lam * np.eye(items)
    P = np.linalg.inv(G)
    B = P / (-np.diag(P))
    np.fill_diagonal(B, 0.0)
    return B


def rp3beta(alpha, beta, k):
    Pui = X / X.sum(axis=1, keepdims=True).clip(min=1e-300)
    binary = (X.T != 0).astype(np.float64)
    popularity = binary.sum(axis=1)
    Piu = binary / popularity[:, None].clip(min=1)
    W = (Piu ** alpha) @ (Pui ** alpha)
    W = W / np.where(popularity > 0, popularity, 1)[None, :] ** beta
    np.fill_diagonal(W, 0.0)
    kept = np.zeros_like(W)
    for i in range(items):
        order = sorted(range(items), key=lambda j: (-W[i, j], j))[:k]
        for j in order:
            if W[i, j] != 0:
                kept[i, j] = W[i, j]
    return kept


seen = X != 0
learners = list(range(0, users, 16))  # every 16th learner: enough rows, a small file
out = {"source": "implicit_knn.json", "learners": learners, "models": {}}
for lam in (10.0, 200.0):
    B = ease(lam)
    scores = X @ B
    out["models"][f"ease-{lam:g}"] = {
        "algorithm": "ease", "lambda": lam,
        "B_rows": {str(i): short(B[i]) for i in (0, 1, 45, 89)},
        "scores": [short(scores[u]) for u in learners],
        "top10": [t for t in top(scores[learners], seen[learners], 10)],
    }
for alpha, beta, k in ((1.0, 0.5, 30), (0.7, 0.3, 90)):
    W = rp3beta(alpha, beta, k)
    scores = X @ W
    out["models"][f"rp3beta-{alpha:g}-{beta:g}-{k}"] = {
        "algorithm": "rp3beta", "alpha": alpha, "beta": beta, "neighbors": k,
        "W_rows": {str(i): short(W[i]) for i in (0, 1, 45, 89)},
        "scores": [short(scores[u]) for u in learners],
        "top10": [t for t in top(scores[learners], seen[learners], 10)],
    }
with open(os.path.join(fixtures, "item_models.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
