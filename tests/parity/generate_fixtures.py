"""Generates the scikit-learn parity fixtures used by src/detectors/*.test.ts.

Run with the pinned reference implementation (tests/sklearn-requirements.txt):

    python3 -m venv tests/.venv-sklearn
    tests/.venv-sklearn/bin/pip install -r tests/sklearn-requirements.txt
    tests/.venv-sklearn/bin/python tests/parity/generate_fixtures.py

Every data set comes from a fixed seed, so re-running rewrites identical files.
Floats are written with Python's shortest round-trip repr, which JavaScript's
JSON.parse reads back to the same doubles.
"""

import json
import pathlib

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN
from sklearn.datasets import make_blobs, make_moons
from sklearn.ensemble import IsolationForest
from sklearn.ensemble._iforest import _average_path_length
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

OUT = pathlib.Path(__file__).parent / "fixtures"


def sensor_readings(n, anomaly_share, seed):
    """Lab-sensor-like rows: temperature, humidity, pressure, light_level.

    Diurnal cycles (one reading a minute), humidity anti-correlated with
    temperature, slow pressure drift, light only by day, noise, and a labelled
    share of anomalies (spikes, drops and stuck sensors).
    """
    rng = np.random.default_rng(seed)
    minutes = np.arange(n)
    day = 2 * np.pi * minutes / 1440.0
    temperature = 21 + 3 * np.sin(day - np.pi / 2) + rng.normal(0, 0.4, n)
    humidity = 45 - 1.8 * (temperature - 21) + rng.normal(0, 1.5, n)
    pressure = 1013 + 4 * np.sin(2 * np.pi * minutes / (1440.0 * 7)) + rng.normal(0, 0.6, n)
    light = np.clip(600 * np.sin(day - np.pi / 2), 0, None) + rng.normal(0, 20, n).clip(0)
    x = np.column_stack([temperature, humidity, pressure, light])
    labels = np.zeros(n, dtype=int)
    anomalies = rng.choice(n, size=int(round(anomaly_share * n)), replace=False)
    for i in anomalies:
        feature = rng.integers(0, 4)
        scale = [4.0, 12.0, 8.0, 500.0][feature]
        x[i, feature] += rng.choice([-1, 1]) * scale * rng.uniform(1.5, 3.0)
    labels[anomalies] = 1
    return x, labels


def dbscan_case(name, x, eps, min_samples):
    labels = DBSCAN(eps=eps, min_samples=min_samples).fit(x).labels_
    return {
        "name": name,
        "eps": eps,
        "minSamples": min_samples,
        "data": x.tolist(),
        "labels": labels.tolist(),
    }


def dbscan_fixtures():
    rng = np.random.default_rng(7)
    cases = []
    blobs, _ = make_blobs(n_samples=400, centers=4, cluster_std=0.7, random_state=0)
    cases.append(dbscan_case("blobs", blobs, 0.5, 5))
    moons, _ = make_moons(n_samples=400, noise=0.07, random_state=1)
    cases.append(dbscan_case("moons", moons, 0.15, 5))
    # Coordinates on a 1/8 grid: every squared distance is exact in binary, and
    # 3-4-5 triangles put many pairs at exactly eps = 5/8.
    exact = rng.integers(0, 40, size=(300, 2)) / 8.0
    cases.append(dbscan_case("exactly_at_eps", exact, 0.625, 4))
    # A border point exactly eps from the cores of two clusters: it must join
    # the cluster scikit-learn numbers first.
    left = np.array([[0, 0], [0, 0.125], [0.125, 0], [0.125, 0.125]])
    bridge = np.array([[0.75, 0.0625]])
    right = left + [1.5, 0]
    tie = np.vstack([right, bridge, left, right + [0, 4]])
    cases.append(dbscan_case("border_tie", tie, 0.625, 4))
    base = rng.normal(0, 1, size=(40, 3))
    duplicates = base[rng.integers(0, 40, size=300)]
    cases.append(dbscan_case("duplicates", duplicates, 0.3, 6))
    noise = np.vstack([rng.uniform(0, 10, size=(350, 2)), rng.normal(5, 0.3, size=(50, 2))])
    cases.append(dbscan_case("heavy_noise", noise, 0.5, 5))
    raw, _ = sensor_readings(3000, 0.01, seed=11)
    cases.append(dbscan_case("sensor_standardized", StandardScaler().fit_transform(raw), 0.3, 10))
    # More features than the grid index takes (the k-d tree path): clusters in 8
    # dimensions, a 16-column low-rank set like the default feature set's, and
    # exact ties at eps on a 1/8 grid in 6 dimensions. A generator of their own
    # leaves the cases above unchanged.
    wide = np.random.default_rng(17)
    blobs8, _ = make_blobs(n_samples=600, n_features=8, centers=5, cluster_std=1.0, random_state=3)
    cases.append(dbscan_case("blobs_8d", blobs8, 2.8, 5))
    latent = wide.normal(0, 1, size=(1500, 3))
    features16 = latent @ wide.normal(0, 1, size=(3, 16)) + wide.normal(0, 0.3, size=(1500, 16))
    features16[wide.choice(1500, size=30, replace=False)] += wide.normal(0, 4, size=(30, 16))
    cases.append(dbscan_case("low_rank_16d", StandardScaler().fit_transform(features16), 2.0, 10))
    grid6 = wide.integers(0, 6, size=(400, 6)) / 8.0
    cases.append(dbscan_case("exactly_at_eps_6d", grid6, 0.25, 4))
    return {"cases": cases}


def scaler_fixtures():
    raw, _ = sensor_readings(500, 0.01, seed=3)
    raw[:, 2] = 1013.25  # a constant feature keeps scale 1
    scaler = StandardScaler().fit(raw)
    return {
        "data": raw.tolist(),
        "mean": scaler.mean_.tolist(),
        "scale": scaler.scale_.tolist(),
        "transformed": scaler.transform(raw).tolist(),
    }


def isolation_forest_fixtures():
    raw, labels = sensor_readings(4000, 0.01, seed=5)
    x = StandardScaler().fit_transform(raw)
    seeds = [0, 1, 2, 3, 4]
    runs = []
    for seed in seeds:
        model = IsolationForest(n_estimators=100, contamination=0.01, random_state=seed).fit(x)
        scores = model.score_samples(x)
        runs.append(
            {
                "seed": seed,
                "offset": model.offset_,
                "scores": scores.tolist(),
                "auc": roc_auc_score(labels, -scores),
                "flagged": int((model.predict(x) == -1).sum()),
            }
        )
    auto = IsolationForest(random_state=0).fit(x)
    return {
        "data": x.tolist(),
        "labels": labels.tolist(),
        "contamination": 0.01,
        "runs": runs,
        "autoOffset": auto.offset_,
        "autoFlaggedShare": float((auto.predict(x) == -1).mean()),
    }


def numeric_fixtures():
    sizes = list(range(0, 21)) + [64, 100, 255, 256, 257, 1000, 4096, 12345, 1000000]
    rng = np.random.default_rng(13)
    percentiles = []
    for n in [1, 2, 7, 100, 1001]:
        values = rng.normal(-0.5, 0.1, size=n)
        for q in [0, 1, 5, 12.5, 50, 99, 100]:
            percentiles.append({"values": values.tolist(), "q": q, "expected": float(np.percentile(values, q))})
    return {
        "averagePathLength": [{"n": n, "expected": float(_average_path_length([n])[0])} for n in sizes],
        "percentiles": percentiles,
    }


def write(name, payload):
    payload = {"generatedBy": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}", **payload}
    (OUT / name).write_text(json.dumps(payload, separators=(",", ":")) + "\n")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    write("dbscan.json", dbscan_fixtures())
    write("scaler.json", scaler_fixtures())
    write("isolation-forest.json", isolation_forest_fixtures())
    write("numeric.json", numeric_fixtures())


if __name__ == "__main__":
    main()
