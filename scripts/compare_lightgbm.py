#!/usr/bin/env python3
"""Held-out log loss of LightGBM with the benchmark's settings, on the CSV the gbdt bench writes.

    GBDT_BENCH_CSV=/tmp/gbdt.csv cargo bench --bench gbdt     # prints our held-out log loss, writes the CSV
    pip install lightgbm numpy
    python3 scripts/compare_lightgbm.py /tmp/gbdt.csv [--ours 0.569433]

CSV: feature columns x0..x11 (empty = missing), y (0/1), part (train/test).
Settings as in benches/gbdt.rs: 100 trees, max depth 6 (no leaf cap beyond 2^6 = 64 leaves), learning rate 0.1,
L2 1, min child hessian 1, 255 bins, no row/column subsampling, min split gain 0.
"""
import argparse
import csv
import time

import numpy as np
import lightgbm as lgb


def load(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        feats = [i for i, h in enumerate(header) if h.startswith("x")]
        iy, ip = header.index("y"), header.index("part")
        X, y, part = [], [], []
        for row in r:
            X.append([float(row[i]) if row[i] != "" else np.nan for i in feats])
            y.append(float(row[iy]))
            part.append(row[ip] == "train")
    return np.array(X), np.array(y), np.array(part)


def log_loss(p, y):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--ours", type=float, help="our held-out log loss, to print the relative difference")
    a = ap.parse_args()
    X, y, train = load(a.csv)
    params = dict(
        objective="binary",
        learning_rate=0.1,
        max_depth=6,
        num_leaves=64,
        lambda_l2=1.0,
        min_sum_hessian_in_leaf=1.0,
        min_data_in_leaf=0,
        min_gain_to_split=0.0,
        max_bin=255,
        bagging_fraction=1.0,
        feature_fraction=1.0,
        use_missing=True,
        verbose=-1,
        deterministic=True,
        seed=42,
    )
    t0 = time.time()
    m = lgb.train(params, lgb.Dataset(X[train], y[train]), num_boost_round=100)
    secs = time.time() - t0
    p = m.predict(X[~train])
    ll = log_loss(p, y[~train])
    print(f"lightgbm {lgb.__version__}: fit {secs:.2f} s on {train.sum()} rows, held-out log loss {ll:.6f}")
    if a.ours is not None:
        print(f"ours {a.ours:.6f}: {100 * (a.ours - ll) / ll:+.3f} % relative to LightGBM")


if __name__ == "__main__":
    main()
