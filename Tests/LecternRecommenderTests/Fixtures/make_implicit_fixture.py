#!/usr/bin/env python3
"""Writes implicit_knn.json: a small learner x course matrix and what implicit 0.7.3 makes of it.

Run once (needs `pip install implicit==0.7.3`); the Swift tests read the JSON and need no Python.
    python3 Tests/LecternRecommenderTests/Fixtures/make_implicit_fixture.py
"""
import json
import os

import numpy as np
from scipy.sparse import csr_matrix

import implicit
from implicit.nearest_neighbours import BM25Recommender, CosineRecommender, TFIDFRecommender

assert implicit.__version__ == "0.7.3", implicit.__version__

rng = np.random.default_rng(20261129)
users, items, nnz = 400, 90, 5000
# Power-law course popularity, so neighbour lists are not all alike.
popularity = 1.0 / np.arange(1, items + 1) ** 0.8
popularity /= popularity.sum()
rows = rng.integers(0, users, nnz)
cols = rng.choice(items, size=nnz, p=popularity)
vals = rng.integers(1, 11, nnz).astype(np.float32)
matrix = csr_matrix((vals, (rows, cols)), shape=(users, items), dtype=np.float32)
matrix.sum_duplicates()
matrix.sort_indices()

K = 12
out = {
    "implicit_version": implicit.__version__,
    "users": users,
    "items": items,
    "indptr": matrix.indptr.tolist(),
    "indices": matrix.indices.tolist(),
    "data": matrix.data.tolist(),
    "K": K,
    "models": {},
}
models = {
    "cosine": CosineRecommender(K=K),
    "tfidf": TFIDFRecommender(K=K),
    "bm25": BM25Recommender(K=K, K1=1.2, B=0.75),
}
for name, model in models.items():
    model.fit(matrix, show_progress=False)
    sim = model.similarity.tocsr()
    neighbours = []
    for i in range(items):
        row = sim[i]
        neighbours.append([[int(j), float(s)] for j, s in zip(row.indices, row.data)])
    recommendations = {}
    for user in [0, 1, 2, 3, 5, 8, 13, 21]:
        ids, scores = model.recommend(user, matrix[user], N=10, filter_already_liked_items=True)
        recommendations[str(user)] = [[int(i), float(s)] for i, s in zip(ids, scores)]
    out["models"][name] = {"neighbours": neighbours, "recommendations": recommendations}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "implicit_knn.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", path)
