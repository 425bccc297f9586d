#!/usr/bin/env python3
"""Lectern's implicit-feedback ALS side by side with implicit 0.7.3 on the same matrix.

    python3 bench/als_compare.py                 # generate (once), time both, compare quality
    python3 bench/als_compare.py --rounds 3      # 3 alternating runs each, best and median
    python3 bench/als_compare.py --skip-implicit # only rebuild and time Lectern

What it does:
  (a) writes a deterministic synthetic learner x course matrix (default 50,000 x 5,000 with
      1,000,000 stored entries, power-law course popularity, values 1..5) to bench/out/als_data/
      as raw little-endian CSR arrays (indptr int64, indices int32, data float32) plus header.json;
  (b) trains implicit's AlternatingLeastSquares(factors=64, iterations=15, regularization=0.01,
      alpha=1.0, random_state=42) in a subprocess with OPENBLAS_NUM_THREADS=1 and
      num_threads=0 (one OpenMP thread per core). implicit uses the stored value as the
      confidence, so it is handed 1 + alpha * w: the same confidence Lectern computes from w;
  (c) compiles Lectern's LecternRecommender sources and bench/als_compare_main.swift with swiftc
      (-O, whole module, as `swift build -c release` does) and runs the same training.

Wall time and CPU time (all threads, user + system) are the fit alone, measured inside each
process; CPU time is the steadier figure when other work shares the machine. Peak memory is each
subprocess's ru_maxrss (os.wait4), so it includes the Python interpreter, numpy and scipy for
implicit.

Quality: both models solve the same problem from different random starts, so they are not
bit-identical. The script reports each model's weighted training loss (computed here in numpy
with one formula, and by implicit's own calculate_loss), and the top-10 overlap between them on
sampled learners next to the overlap between implicit and implicit with another seed. Finally it
runs Lectern once more starting from implicit's exact initial factors and reports how far the
two trained models are apart: with the same start, the same algorithm must land in the same place
up to float32 rounding.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
DATA = os.path.join(OUT, "als_data")
BUILD = os.path.join(OUT, "als_build")


# ----------------------------------------------------------------------------------------------
# (a) the matrix


def generate(users, items, nnz, seed):
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    # Course popularity: Zipf-like, p(rank r) ~ 1 / (r + 10)^1.1, ranks shuffled over course ids.
    ranks = rng.permutation(items)
    item_p = 1.0 / (ranks + 10.0) ** 1.1
    item_p /= item_p.sum()
    # Learner activity: log-normal, so a few learners touch many courses.
    user_p = rng.lognormal(mean=0.0, sigma=1.0, size=users)
    user_p /= user_p.sum()

    keys = np.empty(0, dtype=np.int64)
    want = nnz
    while True:
        draw = int(want * 1.3) + 1000
        u = rng.choice(users, size=draw, p=user_p)
        i = rng.choice(items, size=draw, p=item_p)
        keys = np.unique(np.concatenate([keys, u.astype(np.int64) * items + i]))
        if len(keys) >= nnz:
            break
        want = nnz - len(keys)
    keys = np.sort(rng.choice(keys, size=nnz, replace=False))
    rows = (keys // items).astype(np.int64)
    cols = (keys % items).astype(np.int32)
    vals = rng.integers(1, 6, size=nnz).astype(np.float32)
    m = sp.csr_matrix((vals, (rows, cols)), shape=(users, items), dtype=np.float32)
    m.sort_indices()
    return m


def write_matrix(m, folder, seed):
    import numpy as np

    os.makedirs(folder, exist_ok=True)
    m.indptr.astype("<i8").tofile(os.path.join(folder, "indptr.i64"))
    m.indices.astype("<i4").tofile(os.path.join(folder, "indices.i32"))
    m.data.astype("<f4").tofile(os.path.join(folder, "data.f32"))
    header = {
        "rows": int(m.shape[0]), "columns": int(m.shape[1]), "nnz": int(m.nnz), "seed": seed,
        "indptr": "indptr.i64", "indices": "indices.i32", "data": "data.f32",
        "layout": "CSR, little-endian: indptr int64 (rows + 1), indices int32, data float32 (w, not 1 + alpha w)",
    }
    with open(os.path.join(folder, "header.json"), "w") as f:
        json.dump(header, f, indent=1)


def read_matrix(folder):
    import numpy as np
    import scipy.sparse as sp

    with open(os.path.join(folder, "header.json")) as f:
        h = json.load(f)
    indptr = np.fromfile(os.path.join(folder, h["indptr"]), dtype="<i8")
    indices = np.fromfile(os.path.join(folder, h["indices"]), dtype="<i4")
    data = np.fromfile(os.path.join(folder, h["data"]), dtype="<f4")
    return sp.csr_matrix((data, indices, indptr), shape=(h["rows"], h["columns"]))


def read_factors(path, rows):
    import numpy as np

    a = np.fromfile(path, dtype="<f4")
    return a.reshape(rows, -1)


# ----------------------------------------------------------------------------------------------
# (b) implicit, in a subprocess of its own


def implicit_worker(args):
    """Runs inside the subprocess: train implicit once per repeat, print a JSON line."""
    import numpy as np
    import threadpoolctl
    import scipy.linalg  # noqa: F401 (loads scipy's OpenBLAS, the one implicit's Cython calls)
    from implicit.als import AlternatingLeastSquares  # the factory; use_gpu=False gives implicit.cpu.als

    m = read_matrix(args.data)
    confidence = m.copy()
    confidence.data = (1.0 + args.alpha * confidence.data).astype(np.float32)
    import resource

    def cpu():
        u = resource.getrusage(resource.RUSAGE_SELF)
        return u.ru_utime + u.ru_stime

    times, cpu_times = [], []
    model = None
    for _ in range(args.repeat):
        model = AlternatingLeastSquares(
            factors=args.factors, iterations=args.iterations, regularization=args.regularization,
            alpha=1.0, use_gpu=False, use_cg=True, num_threads=0, random_state=args.seed,
            calculate_training_loss=False)
        start, start_cpu = time.perf_counter(), cpu()
        model.fit(confidence, show_progress=False)
        times.append(time.perf_counter() - start)
        cpu_times.append(cpu() - start_cpu)
    if args.save_prefix:
        model.user_factors.astype("<f4").tofile(args.save_prefix + "_user.f32")
        model.item_factors.astype("<f4").tofile(args.save_prefix + "_item.f32")
    if args.save_init_prefix:
        # implicit's own initialisation, drawn exactly as AlternatingLeastSquares.fit draws it.
        rs = np.random.default_rng(args.seed)
        users, items = m.shape
        (rs.random((users, args.factors), dtype=np.float32) * 0.01).astype("<f4").tofile(
            args.save_init_prefix + "_user.f32")
        (rs.random((items, args.factors), dtype=np.float32) * 0.01).astype("<f4").tofile(
            args.save_init_prefix + "_item.f32")
    blas = [{k: d.get(k) for k in ("internal_api", "architecture", "num_threads", "version", "filepath")}
            for d in threadpoolctl.threadpool_info()]
    print(json.dumps({"fit_seconds": times, "fit_cpu_seconds": cpu_times, "threadpool": blas}))


def run_measured(cmd, env=None):
    """Runs cmd, returns (stdout, peak RSS in MiB of that process)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return out, usage.ru_maxrss / 1024.0


def run_implicit(args, seed, save_prefix="", save_init_prefix="", repeat=1):
    env = dict(os.environ)
    env["OPENBLAS_NUM_THREADS"] = "1"
    if not args.keep_openblas_coretype:
        # Set on some machines for old OpenBLAS builds; it would slow the current one.
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    cmd = [sys.executable, os.path.abspath(__file__), "--implicit-worker", "--data", DATA,
           "--factors", str(args.factors), "--iterations", str(args.iterations),
           "--regularization", str(args.regularization), "--alpha", str(args.alpha),
           "--seed", str(seed), "--repeat", str(repeat),
           "--save-prefix", save_prefix, "--save-init-prefix", save_init_prefix]
    out, rss = run_measured(cmd, env)
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mib"] = rss
    return result


# ----------------------------------------------------------------------------------------------
# (c) Lectern


def build_swift(args):
    sources_dir = os.path.join(ROOT, "Sources", "LecternRecommender")
    # By default only what ALS needs (so that work in progress elsewhere in the module cannot
    # break the benchmark); --all-sources compiles the module as SwiftPM does.
    own = ("ALS", "BPR", "FactorModel", "SeededGenerator", "SparseMatrix")
    sources = sorted(os.path.join(sources_dir, f) for f in os.listdir(sources_dir)
                     if f.endswith(".swift") and (args.all_sources or f.startswith(own)))
    os.makedirs(BUILD, exist_ok=True)
    optimize = ["-Ounchecked"] if args.ounchecked else ["-O"]
    extra = args.swiftc_flag or []
    lib = [args.swiftc, "-module-name", "LecternRecommender", "-parse-as-library", "-emit-module",
           "-emit-module-path", os.path.join(BUILD, "LecternRecommender.swiftmodule"),
           "-emit-library", "-static", "-o", os.path.join(BUILD, "libLecternRecommender.a"),
           "-wmo", *optimize, *extra, *sources]
    exe = os.path.join(BUILD, "als_compare_main")
    main = [args.swiftc, "-parse-as-library", "-wmo", *optimize, *extra, "-I", BUILD, "-L", BUILD,
            "-lLecternRecommender", os.path.join(HERE, "als_compare_main.swift"), "-o", exe]
    for cmd in (lib, main):
        print("$", " ".join(cmd), file=sys.stderr)
        subprocess.run(cmd, check=True, cwd=BUILD)
    return exe


def run_swift(args, exe, seed, save_prefix="", init_prefix="", repeat=1):
    cmd = [exe, "--data", DATA, "--factors", str(args.factors), "--iterations", str(args.iterations),
           "--regularization", str(args.regularization), "--alpha", str(args.alpha),
           "--seed", str(seed), "--repeat", str(repeat)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    if save_prefix:
        cmd += ["--save-prefix", save_prefix]
    if init_prefix:
        cmd += ["--init-prefix", init_prefix]
    out, rss = run_measured(cmd)
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mib"] = rss
    return result


# ----------------------------------------------------------------------------------------------
# quality


def weighted_loss(m, alpha, reg, X, Y):
    """sum_ui c_ui (p_ui - x_u.y_i)^2 + reg (|X|^2 + |Y|^2), c = 1 + alpha w on stored entries, 1 elsewhere."""
    import numpy as np

    X = X.astype(np.float64)
    Y = Y.astype(np.float64)
    coo = m.tocoo()
    s = np.einsum("ij,ij->i", X[coo.row], Y[coo.col])
    c = 1.0 + alpha * coo.data.astype(np.float64)
    all_squares = float(np.sum((X.T @ X) * (Y.T @ Y)))  # sum over every (u, i) of s^2
    observed = float(np.sum(c * (1.0 - s) ** 2 - s ** 2))
    return all_squares + observed + reg * float(np.sum(X * X) + np.sum(Y * Y))


def implicit_loss(m, alpha, reg, X, Y):
    import numpy as np
    from implicit.cpu import _als

    c = m.copy()
    c.data = (1.0 + alpha * c.data).astype(np.float32)
    return float(_als.calculate_loss(c, np.ascontiguousarray(X, dtype=np.float32),
                                     np.ascontiguousarray(Y, dtype=np.float32), reg, num_threads=1))


def top_n(m, X, Y, users, n):
    import numpy as np

    scores = X[users] @ Y.T
    for k, u in enumerate(users):
        scores[k, m.indices[m.indptr[u]:m.indptr[u + 1]]] = -np.inf
    return [set(row) for row in np.argsort(-scores, axis=1, kind="stable")[:, :n]]


def overlap(a, b):
    return sum(len(x & y) for x, y in zip(a, b)) / sum(len(x) for x in a)


# ----------------------------------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--users", type=int, default=50_000)
    p.add_argument("--items", type=int, default=5_000)
    p.add_argument("--nnz", type=int, default=1_000_000)
    p.add_argument("--data-seed", type=int, default=7)
    p.add_argument("--regenerate", action="store_true", help="write the matrix even if it exists")
    p.add_argument("--factors", type=int, default=64)
    p.add_argument("--iterations", type=int, default=15)
    p.add_argument("--regularization", type=float, default=0.01)
    p.add_argument("--alpha", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=0, help="Lectern's threads (0: one per core)")
    p.add_argument("--rounds", type=int, default=1, help="alternating Lectern/implicit processes")
    p.add_argument("--repeat", type=int, default=1, help="fits per process")
    p.add_argument("--skip-implicit", action="store_true")
    p.add_argument("--skip-quality", action="store_true")
    p.add_argument("--swiftc", default="swiftc")
    p.add_argument("--ounchecked", action="store_true", help="compile Lectern with -Ounchecked")
    p.add_argument("--swiftc-flag", action="append", help="extra swiftc flag (repeatable)")
    p.add_argument("--all-sources", action="store_true", help="compile all of Sources/LecternRecommender")
    p.add_argument("--keep-openblas-coretype", action="store_true")
    # internal: the implicit subprocess
    p.add_argument("--implicit-worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--data", default=DATA, help=argparse.SUPPRESS)
    p.add_argument("--save-prefix", default="", help=argparse.SUPPRESS)
    p.add_argument("--save-init-prefix", default="", help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.implicit_worker:
        implicit_worker(args)
        return

    import numpy as np

    header = os.path.join(DATA, "header.json")
    stale = True
    if os.path.exists(header):
        with open(header) as f:
            h = json.load(f)
        stale = (h.get("rows"), h.get("columns"), h.get("nnz"), h.get("seed")) != (
            args.users, args.items, args.nnz, args.data_seed)
    if args.regenerate or stale:
        t = time.perf_counter()
        m = generate(args.users, args.items, args.nnz, args.data_seed)
        write_matrix(m, DATA, args.data_seed)
        print(f"wrote {DATA}: {m.shape[0]} x {m.shape[1]}, {m.nnz} entries ({time.perf_counter() - t:.1f}s)")
    m = read_matrix(DATA)
    item_counts = np.bincount(m.indices, minlength=m.shape[1])
    user_counts = np.diff(m.indptr)
    print(f"matrix: {m.shape[0]} learners x {m.shape[1]} courses, {m.nnz} entries; "
          f"entries per course max {item_counts.max()}, median {int(np.median(item_counts))}; "
          f"per learner max {user_counts.max()}, median {int(np.median(user_counts))}")
    print(f"settings: factors={args.factors} iterations={args.iterations} regularization={args.regularization} "
          f"alpha={args.alpha} seed={args.seed} cg_steps=3, {os.cpu_count()} cores")

    exe = build_swift(args)
    # Alternate the two in separate processes, so that load from elsewhere on the machine hits both
    # alike; the best fit time of each counts (the median is shown too).
    lectern_runs, implicit_runs = [], []
    for round_ in range(args.rounds):
        lectern_runs.append(run_swift(args, exe, args.seed, save_prefix=os.path.join(OUT, "als_lectern"),
                                      repeat=args.repeat))
        if not args.skip_implicit:
            implicit_runs.append(run_implicit(args, args.seed, save_prefix=os.path.join(OUT, "als_implicit"),
                                              save_init_prefix=os.path.join(OUT, "als_implicit_init"),
                                              repeat=args.repeat))

    def summary(runs):
        times = sorted(t for r in runs for t in r["fit_seconds"])
        rss = max(r["peak_rss_mib"] for r in runs)
        return times[0], times[len(times) // 2], times, rss

    def best_cpu(runs):
        return min(t for r in runs for t in r["fit_cpu_seconds"])

    l_time, l_median, l_times, l_rss = summary(lectern_runs)
    print(f"lectern : fit best {l_time:.3f} s, median {l_median:.3f} s (runs {', '.join(f'{t:.3f}' for t in l_times)}), "
          f"CPU {best_cpu(lectern_runs):.3f} s, threads {lectern_runs[0]['threads']}, peak RSS {l_rss:.1f} MiB")
    if args.skip_implicit:
        return
    i_time, i_median, i_times, i_rss = summary(implicit_runs)
    blas = ", ".join(f"{b['internal_api']} {b.get('architecture') or ''} threads={b['num_threads']}"
                     for b in implicit_runs[0]["threadpool"])
    print(f"implicit: fit best {i_time:.3f} s, median {i_median:.3f} s (runs {', '.join(f'{t:.3f}' for t in i_times)}), "
          f"CPU {best_cpu(implicit_runs):.3f} s, peak RSS {i_rss:.1f} MiB  [{blas}]")
    print(f"ratio lectern/implicit: time {l_time / i_time:.3f} (best), {l_median / i_median:.3f} (median); "
          f"CPU time {best_cpu(lectern_runs) / best_cpu(implicit_runs):.3f} (best); peak RSS {l_rss / i_rss:.3f}")
    if args.skip_quality:
        return

    users, items = m.shape
    XL = read_factors(os.path.join(OUT, "als_lectern_user.f32"), users)
    YL = read_factors(os.path.join(OUT, "als_lectern_item.f32"), items)
    XI = read_factors(os.path.join(OUT, "als_implicit_user.f32"), users)
    YI = read_factors(os.path.join(OUT, "als_implicit_item.f32"), items)
    other = run_implicit(args, args.seed + 1, save_prefix=os.path.join(OUT, "als_implicit_other"))
    XO = read_factors(os.path.join(OUT, "als_implicit_other_user.f32"), users)
    YO = read_factors(os.path.join(OUT, "als_implicit_other_item.f32"), items)

    reg, alpha = args.regularization, args.alpha
    print("training loss, sum c (p - s)^2 + reg (|X|^2 + |Y|^2) [implicit's calculate_loss, normalised]:")
    for name, X, Y in (("lectern", XL, YL), ("implicit", XI, YI), (f"implicit seed {args.seed + 1}", XO, YO)):
        print(f"  {name:18s} {weighted_loss(m, alpha, reg, X, Y):14.1f}  [{implicit_loss(m, alpha, reg, X, Y):.6f}]")

    sample = np.random.default_rng(1).choice(users, size=min(2000, users), replace=False)
    tl, ti, to = (top_n(m, X, Y, sample, 10) for X, Y in ((XL, YL), (XI, YI), (XO, YO)))
    print(f"top-10 overlap on {len(sample)} learners (training courses excluded): "
          f"lectern vs implicit {overlap(tl, ti):.3f}; implicit vs implicit seed {args.seed + 1} "
          f"{overlap(ti, to):.3f}")

    # Same start, same algorithm: Lectern from implicit's own initial factors.
    same = run_swift(args, exe, args.seed, save_prefix=os.path.join(OUT, "als_lectern_same"),
                     init_prefix=os.path.join(OUT, "als_implicit_init"))
    XS = read_factors(os.path.join(OUT, "als_lectern_same_user.f32"), users)
    YS = read_factors(os.path.join(OUT, "als_lectern_same_item.f32"), items)
    su = np.abs(XS @ YS[:200].T - XI @ YI[:200].T)
    ts = top_n(m, XS, YS, sample, 10)
    print(f"lectern started from implicit's initial factors: max |user diff| {np.abs(XS - XI).max():.2e}, "
          f"max |item diff| {np.abs(YS - YI).max():.2e} (factor magnitudes ~{np.abs(XI).max():.2f}), "
          f"max score diff {su.max():.2e}, top-10 overlap {overlap(ts, ti):.3f}, loss "
          f"{weighted_loss(m, alpha, reg, XS, YS):.1f}")


if __name__ == "__main__":
    main()
