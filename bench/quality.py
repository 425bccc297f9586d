#!/usr/bin/env python3
"""make bench-quality: Lectern's served list beside implicit 0.7.3's best, one identical split per data set.

    python3 bench/quality.py LECTERN_BINARY [--datasets oulad,movielens,seeddata] [--trials N] [--out DIR]

Data sets (each located at run time; none is kept in the repository):
  oulad      OULAD registrations (CC-BY 4.0), learner x module: tools/oulad/convert.py's files with the
             presentations of one module merged into one family, as Lectern's own evaluation does.
             OULAD=/path/to/oulad (default: ../shared/datasets/oulad beside the clone).
  movielens  MovieLens 100k (research use under GroupLens' terms, see the README), every rating an
             interaction of weight 1. Taken from the recbole 1.2.1 wheel on PyPI, which bundles it
             (`pip download --no-deps`, nothing installed), or MOVIELENS=/path/to/u.data or ml-100k.inter.
  seeddata   SeedData (synthetic: Lectern's own generator), labelled as such.

Per data set: every learner-item pair (weights summed, Lectern's event weights for OULAD and SeedData;
pairs with a total <= 0 dropped) is split per learner by time: each learner's first max(1, floor(0.8 n))
items train, the rest test. Test pairs whose learner or item is not in training are dropped (Lectern's
protocol), so both sides score the same learners and pairs.

Lectern: `lectern evaluate --train --test --tune N` tunes each of itemknn, als, popular, hybrid, ease,
rp3beta and bpr on a validation part carved from the training part alone, as `lectern tune --all`
does, and marks the best on validation as `served`; that algorithm's test lists are Lectern's figure.
implicit: ALS, BPR, CosineRecommender and BM25Recommender, each over a small grid; the best by TEST
NDCG is reported (generous to implicit). One NDCG@10 function (implicit's definition) scores every
list of both sides; it is checked against implicit.evaluation.ranking_metrics_at_k on implicit's best
model and against Lectern's own figure on Lectern's lists.
"""
import argparse
import calendar
import csv
import hashlib
import itertools
import json
import math
import os
import subprocess
import sys
import time
import zipfile
from collections import defaultdict

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
from scipy.sparse import csr_matrix

import warnings

import implicit
from implicit.als import AlternatingLeastSquares
from implicit.bpr import BayesianPersonalizedRanking
from implicit.evaluation import ranking_metrics_at_k
from implicit.nearest_neighbours import BM25Recommender, CosineRecommender
from implicit.utils import ParameterWarning

warnings.filterwarnings("ignore", category=UserWarning)
warnings.filterwarnings("ignore", category=ParameterWarning)  # implicit converts its own COO to CSR inside CosineRecommender
K = 10
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Lectern's default event weights (InteractionWeights); a rating r weighs 4 * (r - 3) / 2.
WEIGHTS = {"view": 1, "wishlist": 2, "enroll": 3, "purchase": 5, "complete": 5, "refund": -5}
LECTERN_ALGORITHMS = "itemknn,als,popular,hybrid,ease,rp3beta,bpr"
RECBOLE = "recbole==1.2.1"


def fail(message):
    print("error: " + message, file=sys.stderr)
    sys.exit(1)


def epoch(text):
    """Unix seconds of an ISO time (2025-01-01T15:55:32Z) or of a number."""
    if text.replace(".", "", 1).isdigit():
        return int(float(text))
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def lectern_events(path, family=None):
    """(user, item, weight, time) pairs from a Lectern interactions.csv: weights summed per pair,
    the pair's time its first event's, pairs with a total <= 0 dropped."""
    totals, first, events = defaultdict(float), {}, 0
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            kind = row["kind"]
            weight = 4 * (int(row["value"]) - 3) / 2 if kind == "rate" else WEIGHTS[kind]
            key = (row["user"], family.get(row["course"], row["course"]) if family else row["course"])
            totals[key] += weight
            at = epoch(row["occurred_at"])
            first[key] = min(first.get(key, at), at)
            events += 1
    return [(u, i, w, first[(u, i)]) for (u, i), w in totals.items() if w > 1e-6], events


def load_oulad(out):
    folder = os.path.abspath(os.environ["OULAD"]) if os.environ.get("OULAD") else next(
        (os.path.normpath(os.path.join(ROOT, p)) for p in ("../shared/datasets/oulad", "../../shared/datasets/oulad")
         if os.path.exists(os.path.join(ROOT, p, "studentRegistration.csv"))), os.path.join(ROOT, "../shared/datasets/oulad"))
    if not os.path.exists(os.path.join(folder, "studentRegistration.csv")):
        fail(f"no OULAD files in '{folder}': set OULAD=/path/to/oulad (the folder with studentRegistration.csv), "
             "or leave it out with --datasets movielens,seeddata")
    converted = os.path.join(out, "oulad-files")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools/oulad/convert.py"), folder, converted], check=True,
                   capture_output=True)
    with open(os.path.join(converted, "courses.csv"), newline="") as f:
        family = {row["slug"]: row["family"] or row["slug"] for row in csv.DictReader(f)}
    pairs, events = lectern_events(os.path.join(converted, "interactions.csv"), family)
    return pairs, events, "OULAD, learner x module (real, CC-BY 4.0)"


def load_movielens(out):
    path = os.environ.get("MOVIELENS")
    if not path:
        path = os.path.join(out, "datasets", "ml-100k.inter")
        if not os.path.exists(path):
            wheels = os.path.join(out, "datasets", "wheel")
            got = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", wheels, RECBOLE],
                                 capture_output=True, text=True)
            found = [w for w in os.listdir(wheels) if w.endswith(".whl")] if os.path.isdir(wheels) else []
            if got.returncode != 0 or not found:
                fail(f"could not get MovieLens 100k: `pip download --no-deps {RECBOLE}` failed "
                     f"({(got.stderr.strip().splitlines() or ['no wheel'])[-1]}); set MOVIELENS=/path/to/u.data, "
                     "or leave it out with --datasets oulad,seeddata")
            with zipfile.ZipFile(os.path.join(wheels, found[0])) as wheel:
                data = wheel.read("recbole/dataset_example/ml-100k/ml-100k.inter")
            with open(path, "wb") as f:
                f.write(data)
    if not os.path.exists(path):
        fail(f"no MovieLens 100k file at '{path}' (MOVIELENS names u.data or ml-100k.inter)")
    with open(path, "rb") as f:
        raw = f.read()
    digest = hashlib.sha256(raw).hexdigest()
    lines = raw.decode("latin-1").splitlines()
    if lines and lines[0].startswith("user_id"):
        lines = lines[1:]
    pairs = {}
    for line in lines:
        user, item, rating, at = line.split("\t")[:4]
        pairs[("u" + user, "m" + item)] = int(float(at))
    if len(lines) != 100_000 or len(pairs) != 100_000:
        fail(f"'{path}' is not MovieLens 100k: {len(lines)} ratings, {len(pairs)} distinct pairs (want 100,000)")
    return [(u, i, 1.0, at) for (u, i), at in pairs.items()], len(lines), f"MovieLens 100k (real, sha256 {digest[:12]})"


def load_seeddata(out):
    pairs, events = lectern_events(os.path.join(ROOT, "SeedData/interactions.csv"))
    return pairs, events, "SeedData (synthetic)"


def split_per_learner(pairs):
    """Each learner's first max(1, floor(0.8 n)) items by time train, the rest test (ties by item)."""
    by_user = defaultdict(list)
    for u, i, w, at in pairs:
        by_user[u].append((at, i, w))
    train, test = [], []
    for u, items in by_user.items():
        items.sort()
        cut = max(1, int(0.8 * len(items)))
        train += [(u, i, w, at) for at, i, w in items[:cut]]
        test += [(u, i, w, at) for at, i, w in items[cut:]]
    return train, test


def ndcg_at_k(lists, relevant, k=K):
    """implicit's NDCG@k (ranking_metrics_at_k): per learner with a relevant item, DCG of the list's
    first k over the ideal DCG of min(k, relevant) hits, averaged over those learners."""
    gains = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(gains)
    total = 0.0
    for user, wanted in relevant.items():
        ranked = lists.get(user, [])[:k]
        total += sum(gains[n] for n, item in enumerate(ranked) if item in wanted) / ideal[min(k, len(wanted)) - 1]
    return total / len(relevant)


def run_lectern(lectern, folder, trials):
    lists_path = os.path.join(folder, "lectern-lists.csv")
    command = [lectern, "evaluate", "--train", os.path.join(folder, "train.csv"), "--test", os.path.join(folder, "test.csv"),
               "--k", str(K), "--algorithm", LECTERN_ALGORITHMS, "--metrics", "ndcg", "--tune", str(trials),
               "--format", "json", "--lists", lists_path]
    start = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.monotonic() - start
    if result.returncode != 0:
        fail("lectern evaluate failed: " + result.stderr.strip())
    rows = json.loads(result.stdout)
    lists = defaultdict(lambda: defaultdict(list))
    with open(lists_path, newline="") as f:
        for row in csv.DictReader(f):
            if int(row["k"]) == K:
                lists[row["algorithm"]][row["user"]].append((int(row["rank"]), row["item"]))
    ranked = {a: {u: [i for _, i in sorted(v)] for u, v in by_user.items()} for a, by_user in lists.items()}
    return rows, ranked, seconds, result.stderr.strip()


def implicit_grid():
    """Each model's small grid: (family, parameters, make model, how the training matrix is given)."""
    for factors, reg, alpha in itertools.product((16, 32, 64, 128), (0.01, 0.1, 1.0, 10.0, 30.0), (1, 10, 40)):
        yield ("als", f"factors={factors} reg={reg} alpha={alpha}",
               lambda f=factors, r=reg: AlternatingLeastSquares(factors=f, regularization=r, iterations=15, random_state=42),
               lambda m, a=alpha: m.multiply(a).tocsr() + m.sign())
    for factors, rate, reg, iterations in itertools.product((32, 64, 128), (0.01, 0.05), (0.001, 0.01), (100, 300)):
        yield ("bpr", f"factors={factors} lr={rate} reg={reg} iterations={iterations}",
               lambda f=factors, l=rate, r=reg, i=iterations: BayesianPersonalizedRanking(
                   factors=f, learning_rate=l, regularization=r, iterations=i, random_state=42),
               lambda m: m)
    for k in (5, 10, 20, 50, 100, 200, 500):
        yield ("cosine", f"K={k}", lambda k=k: CosineRecommender(K=k), lambda m: m)
    for k, k1, b in itertools.product((10, 20, 50, 100, 200, 500), (0.6, 1.2, 2.0), (0.25, 0.75, 1.0)):
        yield ("bm25", f"K={k} K1={k1} B={b}", lambda k=k, k1=k1, b=b: BM25Recommender(K=k, K1=k1, B=b), lambda m: m)


def run_implicit(train, test, users, items):
    """Every grid point fitted on `train`; its lists for the test learners scored by ndcg_at_k."""
    test_users = np.unique(test.nonzero()[0]).astype(np.int32)
    relevant = {int(u): set(test.indices[test.indptr[u]:test.indptr[u + 1]].tolist()) for u in test_users}
    best = {}
    start = time.monotonic()
    for family, parameters, make, given in implicit_grid():
        model = make()
        data = given(train)
        model.fit(data, show_progress=False)
        ids, _ = model.recommend(test_users, data[test_users], N=K, filter_already_liked_items=True)
        lists = {int(u): [int(i) for i in row if i >= 0] for u, row in zip(test_users, ids)}
        score = ndcg_at_k(lists, relevant)
        if family not in best or score > best[family][0]:
            best[family] = (score, parameters, model, data)
    seconds = time.monotonic() - start
    # The shared NDCG function against implicit's own on the best model of each family.
    for family, (score, parameters, model, data) in best.items():
        theirs = ranking_metrics_at_k(model, data, test, K=K, show_progress=False)["ndcg"]
        if abs(theirs - score) > 1e-6:
            fail(f"bench's NDCG {score:.6f} differs from implicit's ranking_metrics_at_k {theirs:.6f} for {family} {parameters}")
    return {f: (s, p) for f, (s, p, _, _) in best.items()}, seconds


def bench(name, loader, lectern, trials, out):
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    pairs, events, label = loader(out)
    train_pairs, test_pairs = split_per_learner(pairs)
    users = sorted({u for u, _, _, _ in train_pairs})
    items = sorted({i for _, i, _, _ in train_pairs})
    uix = {u: n for n, u in enumerate(users)}
    iix = {i: n for n, i in enumerate(items)}
    seen = {(u, i) for u, i, _, _ in train_pairs}
    kept = [p for p in test_pairs if p[0] in uix and p[1] in iix and (p[0], p[1]) not in seen]
    for file, rows in (("train.csv", train_pairs), ("test.csv", kept)):
        with open(os.path.join(folder, file), "w") as f:
            f.write("user,item,weight,timestamp\n")
            f.writelines("%s,%s,%g,%d\n" % row for row in rows)

    def matrix(rows):
        return csr_matrix(([w for _, _, w, _ in rows], ([uix[u] for u, _, _, _ in rows], [iix[i] for _, i, _, _ in rows])),
                          shape=(len(users), len(items)), dtype=np.float32)

    train, test = matrix(train_pairs), matrix(kept)
    test.data[:] = 1
    relevant = defaultdict(set)
    for u, i, _, _ in kept:
        relevant[u].add(i)
    print(f"\n== {label}: {len(pairs):,} learner-item pairs from {events:,} events, {len(users):,} learners x "
          f"{len(items):,} items; {train.nnz:,} train pairs, {len(kept):,} test pairs of {len(relevant):,} learners "
          f"({len(test_pairs) - len(kept):,} dropped by the protocol)", flush=True)

    rows, lectern_lists, lectern_seconds, note = run_lectern(lectern, folder, trials)
    scores, parameters = {}, {}
    for row in rows:
        algorithm = row["algorithm"]
        ours = ndcg_at_k(lectern_lists.get(algorithm, {}), relevant)
        if abs(ours - row["ndcg"]) > 1e-4:
            fail(f"bench's NDCG {ours:.6f} differs from Lectern's own {row['ndcg']:.4f} for {algorithm} on {name}")
        scores[algorithm] = (ours, row[f"validation_ndcg@{K}"], row["served"] == "yes")
        parameters[algorithm] = row.get("parameters", "")
    served = next(a for a, (_, _, s) in scores.items() if s)
    print(f"Lectern ({lectern_seconds:.0f} s, {trials} trials per algorithm; {note.removeprefix('validation: ')}):")
    print("  %-8s %10s %10s" % ("", "valid", "test"))
    for algorithm, (test_score, valid, is_served) in scores.items():
        print("  %-8s %10.4f %10.4f%s" % (algorithm, valid, test_score, "  <- served (chosen on validation)" if is_served else ""))
    print(f"  served {served}'s parameters, chosen on validation: {parameters[served]}")

    best, implicit_seconds = run_implicit(train, test, users, items)
    print(f"implicit ({implicit_seconds:.0f} s, best of each grid by test NDCG@{K}):")
    for family, (score, parameters) in sorted(best.items(), key=lambda x: -x[1][0]):
        print("  %-8s %10.4f  %s" % (family, score, parameters))
    top = max(best.items(), key=lambda x: x[1][0])
    return {"name": name, "label": label, "learners": len(users), "items": len(items), "events": events,
            "pairs": len(pairs), "test_learners": len(relevant), "implicit": top, "served": served,
            "lectern": scores[served][0], "lectern_best": max(scores.items(), key=lambda x: x[1][0]),
            "seconds": (lectern_seconds, implicit_seconds)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lectern")
    parser.add_argument("--datasets", default="oulad,movielens,seeddata")
    parser.add_argument("--trials", type=int, default=int(os.environ.get("TRIALS", "20")))
    parser.add_argument("--out", default=os.path.join(ROOT, "bench/out/quality"))
    arguments = parser.parse_args()
    loaders = {"oulad": load_oulad, "movielens": load_movielens, "seeddata": load_seeddata}
    names = [n.strip() for n in arguments.datasets.split(",") if n.strip()]
    unknown = [n for n in names if n not in loaders]
    if unknown or not names:
        fail(f"unknown data set '{','.join(unknown)}': choose from {', '.join(loaders)}")
    os.makedirs(arguments.out, exist_ok=True)
    start = time.monotonic()
    results = [bench(n, loaders[n], arguments.lectern, arguments.trials, arguments.out) for n in names]
    print(f"\n== NDCG@{K}, one split per data set; Lectern served = best on validation carved from train; "
          f"implicit = best of its grids by test ({time.monotonic() - start:.0f} s in all)")
    header = ("data set", "learners", "items", "events", "implicit best (by test)", "NDCG", "Lectern served (by validation)",
              "NDCG", "ratio")
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for r in results:
        (family, (score, parameters)) = r["implicit"]
        print(f"| {r['label']} | {r['learners']:,} | {r['items']:,} | {r['events']:,} | {family} {parameters} | {score:.4f} "
              f"| {r['served']} | {r['lectern']:.4f} | {r['lectern'] / score:.2f}x |")
    for r in results:
        algorithm, (score, _, _) = r["lectern_best"]
        print(f"{r['name']}: Lectern's best on test would have been {algorithm} {score:.4f} "
              f"({score / r['implicit'][1][0]:.2f}x); Lectern {r['seconds'][0]:.0f} s, implicit {r['seconds'][1]:.0f} s")


if __name__ == "__main__":
    assert implicit.__version__ == "0.7.3"
    main()
