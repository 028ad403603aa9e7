#!/usr/bin/python3
"""Golden values for neurona's descriptive statistics (tests/stats/test_stats.c).

Writes small CSV data sets into tests/fixtures/stats/ and, next to each,
NAME.golden with what NumPy and pandas compute for them: per numeric
column count, missing, mean, median, modes, midrange, min, max, range,
np.var/np.std (ddof 0), Series.var/.std (ddof 1), quartiles, percentiles
and outliers by every np.percentile method; per text column the value
counts and modes; DataFrame.corr() and DataFrame.cov(); the pairs with
|r| >= 0.5.

Golden format, one record per line, fields separated by single spaces,
numbers as Python's repr (so they read back exactly), NaN as "nan":
  percentiles P...            the extra percentiles asked for
  method NAME                 the describe call the following lines check
  column NAME                 the column the following lines are about
  KEY VALUE                   a figure (count, mean, q1, ...)
  p P VALUE                   percentile P
  modes N V...                the modes, ascending (N 0: no mode)
  mild N ROW VALUE...         outliers, 0-based data rows
  value COUNT TEXT            a distinct text value (most frequent first)
  corr A B R / cov A B C      matrix entries of the numeric columns
  pair A B R                  a correlated pair, strongest first
The first method block (linear) holds every figure; the other methods'
blocks hold only what depends on the method.

Run: /usr/bin/python3 scripts/gen_stats_goldens.py  (python3-numpy, python3-pandas)
"""
import os
import warnings

import numpy as np
import pandas as pd

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "stats")
PCTS = [0, 5, 10, 33.3, 50, 62.5, 90, 95, 99, 100]
METHODS = ["linear", "lower", "higher", "nearest", "midpoint", "inverted_cdf", "averaged_inverted_cdf",
           "closest_observation", "interpolated_inverted_cdf", "hazen", "weibull", "median_unbiased",
           "normal_unbiased"]
NA = None


def num(v):
    return "nan" if v is None or (isinstance(v, float) and np.isnan(v)) else repr(float(v))


def cell(v, na_token):
    if v is None:
        return na_token
    return repr(float(v)) if isinstance(v, float) else str(v)


def write_csv(path, cols):
    names = list(cols)
    rows = len(cols[names[0]])
    tokens = ["NA", "", "NaN", "?", "null"]
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for r in range(rows):
            f.write(",".join(cell(cols[c][r], tokens[(r + i) % len(tokens)]) for i, c in enumerate(names)) + "\n")


def is_text(values):
    return any(isinstance(v, str) for v in values)


def quantiles(v, method):
    if len(v) == 0:
        return {k: float("nan") for k in ("q1", "q2", "q3")}, [float("nan")] * len(PCTS)
    q = np.percentile(v, [25, 50, 75], method=method)
    return {"q1": q[0], "q2": q[1], "q3": q[2]}, list(np.percentile(v, PCTS, method=method))


def outliers(s, q):
    iqr = q["q3"] - q["q1"]
    x = s.to_numpy(dtype=float)
    present = ~np.isnan(x)
    ext = present & ((x < q["q1"] - 3 * iqr) | (x > q["q3"] + 3 * iqr))
    mild = present & ((x < q["q1"] - 1.5 * iqr) | (x > q["q3"] + 1.5 * iqr)) & ~ext
    fmt = lambda m: " ".join(f"{r} {num(x[r])}" for r in np.nonzero(m)[0])
    return f"mild {mild.sum()} {fmt(mild)}".rstrip(), f"extreme {ext.sum()} {fmt(ext)}".rstrip()


def method_lines(s, method):
    v = s.dropna().to_numpy(dtype=float)
    q, p = quantiles(v, method)
    lines = [f"{k} {num(q[k])}" for k in ("q1", "q2", "q3")]
    lines.append(f"iqr {num(q['q3'] - q['q1'])}")
    lines += [f"p {pc!r} {num(x)}" for pc, x in zip(PCTS, p)]
    if len(v):
        lines += outliers(s, q)
    return lines


def numeric_lines(s):
    v = s.dropna().to_numpy(dtype=float)
    lines = [f"count {s.count()}", f"missing {s.isna().sum()}"]
    if len(v) == 0:
        return lines + ["mean nan", "modes 0"]
    counts = s.value_counts()
    top = counts.max()
    modes = sorted(counts[counts == top].index) if top > 1 else []
    figures = {"mean": np.mean(v), "median": np.median(v), "min": v.min(), "max": v.max(),
               "range": v.max() - v.min(), "midrange": (v.min() + v.max()) / 2,
               "var_pop": np.var(v), "std_pop": np.std(v), "var": s.var(), "std": s.std()}
    lines += [f"{k} {num(x)}" for k, x in figures.items()]
    lines.append(f"modes {len(modes)} {' '.join(num(m) for m in modes)}".rstrip())
    lines.append(f"mode_count {top}")
    return lines


def text_lines(s):
    counts = sorted(s.dropna().value_counts().items(), key=lambda kv: (-kv[1], kv[0]))
    top = counts[0][1] if counts else 0
    lines = [f"count {s.count()}", f"missing {s.isna().sum()}", f"values {len(counts)}"]
    lines += [f"value {c} {v}" for v, c in counts]
    lines.append(f"text_modes {sum(1 for _, c in counts if c == top) if top > 1 else 0}")
    return lines


def frame(cols):
    data = {}
    for name, values in cols.items():
        if is_text(values):
            data[name] = pd.Series([np.nan if v is None else v for v in values], dtype=object)
        else:
            data[name] = pd.Series([np.nan if v is None else float(v) for v in values], dtype=float)
    return pd.DataFrame(data)


def matrix_lines(df, numeric):
    corr, cov = df[numeric].corr(), df[numeric].cov()
    lines = []
    for a in numeric:
        for b in numeric:
            lines.append(f"corr {a} {b} {num(corr.loc[a, b])}")
            lines.append(f"cov {a} {b} {num(cov.loc[a, b])}")
    pairs = []
    for i, a in enumerate(numeric):
        for j in range(i + 1, len(numeric)):
            r = corr.loc[a, numeric[j]]
            if not np.isnan(r) and abs(r) >= 0.5:
                pairs.append((-abs(r), i, j, a, numeric[j], r))
    pairs.sort()
    lines.append(f"pairs {len(pairs)}")
    lines += [f"pair {a} {b} {num(r)}" for _, _, _, a, b, r in pairs]
    return lines


def goldens(name, cols):
    df = frame(cols)
    numeric = [c for c in cols if not is_text(cols[c])]
    lines = [f"# {name}.csv: NumPy {np.__version__}, pandas {pd.__version__}; scripts/gen_stats_goldens.py",
             "percentiles " + " ".join(repr(p) for p in PCTS)]
    for method in METHODS:
        lines.append(f"method {method}")
        for c in cols:
            lines.append(f"column {c}")
            if method == "linear":
                lines += text_lines(df[c]) if c not in numeric else numeric_lines(df[c])
            if c in numeric:
                lines += method_lines(df[c], method)
        if method == "linear":
            lines += matrix_lines(df, numeric)
    return "\n".join(lines) + "\n"


def datasets():
    rng = np.random.RandomState(7)
    mixed = {
        "multi": [2, 7, 2, 7, 1, 8, NA, 3, 4, 5, 6, 9],
        "unique": [round(x, 3) for x in rng.uniform(-5, 5, 12)],
        "same": [4.25] * 12,
        "gaps": [1.5, NA, 2.0, 2.5, NA, 3.0, 2.0, 40.0, 2.25, NA, 1.75, -30.0],
        "empty": [NA] * 12,
        "colour": ["red", "blue", "red", "green", "blue", NA, "red", "blue", "green", "teal", NA, "amber"],
        "city": ["Lyon", "Oslo", "Kyiv", "Lima", "Pune", "Nice", "Baku", "Doha", "Riga", "Bern", "Cork", "Ayr"],
    }
    x = rng.normal(10, 2, 60)
    normal = {
        "x": [round(v, 4) for v in x],
        "y": [round(3 * v + rng.normal(0, 0.8), 4) for v in x],
        "z": [round(-v + rng.normal(0, 2.2), 4) for v in x],
        "w": [round(v, 3) for v in rng.normal(0, 1, 60)],
        "group": [["alpha", "beta", "gamma"][i % 3] if i % 7 else "beta" for i in range(60)],
    }
    for r in (4, 17, 33):
        normal["y"][r] = NA
    normal["w"][10], normal["w"][20], normal["w"][50] = 3.9, -9.5, 12.0
    skewed = {
        "e": [round(v, 1) for v in rng.exponential(2.0, 25)],
        "k": [int(v) for v in rng.poisson(3, 25)],
        "s": [round(v, 2) for v in (-rng.exponential(1.0, 25))],
    }
    skewed["e"][3] = 40.0
    single = {"x": [3.5], "label": ["only"], "n": [NA]}
    return {"mixed": mixed, "normal": normal, "skewed": skewed, "single": single}


def main():
    warnings.simplefilter("ignore")
    os.makedirs(OUT, exist_ok=True)
    for name, cols in datasets().items():
        write_csv(os.path.join(OUT, name + ".csv"), cols)
        with open(os.path.join(OUT, name + ".golden"), "w") as f:
            f.write(goldens(name, cols))


if __name__ == "__main__":
    main()
