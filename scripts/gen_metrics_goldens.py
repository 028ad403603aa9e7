#!/usr/bin/python3
"""Golden values for neurona's metrics and data preparation, computed with
scikit-learn, pandas and NumPy (Debian's python3-sklearn 1.2, python3-pandas
1.5, python3-numpy 1.24).

Run from the repository root:

    /usr/bin/python3 scripts/gen_metrics_goldens.py

It (re)writes tests/fixtures/metrics/{classify,ranking,regression,prep}.txt,
which tests/metrics/test_metrics_golden.c and tests/metrics/test_prep_golden.c
read. prep.txt's format is described above gen_prep(). The output is deterministic (fixed seeds).

File format (text): the first line is the magic and version
"neurona-metrics-goldens 1"; lines starting with '#' are comments; a line
"case NAME" starts a case; inside a case every line is

    KEY VALUE VALUE ...      numbers, printed with repr() (float64 round-trips)
    text KEY                 the following lines, up to a line "end", are a
                             text value (its lines joined with '\\n', plus a
                             final '\\n')
    strings KEY              the following lines, up to "end", are a list of
                             strings, one a line

Where the installed library lags the reference semantics the script writes
the newer semantics, and says so:
  * roc_curve's first threshold is +inf (scikit-learn >= 1.3); 1.2 writes
    max(score) + 1 there, so the script replaces it.
"""
import io
import math
import os
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn import metrics

warnings.simplefilter("ignore")
OUT = "tests/fixtures/metrics"
MAGIC = "neurona-metrics-goldens 1"


class Writer:
    def __init__(self, name, about):
        self.path = os.path.join(OUT, name)
        self.out = io.StringIO()
        self.out.write(MAGIC + "\n")
        self.out.write(f"# {about}\n# scikit-learn {sklearn.__version__}, pandas {pd.__version__}, "
                       f"numpy {np.__version__}; written by scripts/gen_metrics_goldens.py\n")

    def case(self, name):
        self.out.write(f"case {name}\n")

    def nums(self, key, values):
        vals = np.asarray(values, dtype=np.float64).ravel()
        self.out.write(key + "".join(" " + repr(float(v)) for v in vals) + "\n")

    def text(self, key, s):
        assert s.endswith("\n") and "\nend\n" not in s
        self.out.write(f"text {key}\n{s}end\n")

    def strings(self, key, items):
        self.out.write(f"strings {key}\n" + "".join(f"{s}\n" for s in items) + "end\n")

    def close(self):
        with open(self.path, "w", encoding="utf-8") as f:
            f.write(self.out.getvalue())


# ------------------------------------------------------------ classification

def classify_case(w, name, y_true, y_pred, k, names=None, digits=2):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = list(range(k))
    w.case(name)
    w.nums("k", [k])
    w.nums("digits", [digits])
    w.nums("y_true", y_true)
    w.nums("y_pred", y_pred)
    if names is not None:
        w.strings("names", names)
    w.nums("accuracy", [metrics.accuracy_score(y_true, y_pred)])
    w.nums("confusion", metrics.confusion_matrix(y_true, y_pred, labels=labels))
    p, r, f, s = metrics.precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None)
    w.nums("precision", p)
    w.nums("recall", r)
    w.nums("f1", f)
    w.nums("support", s)
    for avg in ("macro", "weighted"):
        ap, ar, af, _ = metrics.precision_recall_fscore_support(y_true, y_pred, labels=labels, average=avg)
        w.nums(avg, [ap, ar, af])
    w.text("report", metrics.classification_report(y_true, y_pred, labels=labels, target_names=names,
                                                   digits=digits))


def gen_classify():
    rng = np.random.default_rng(5)
    w = Writer("classify.txt", "accuracy, confusion matrix, precision/recall/F1, classification_report")
    classify_case(w, "binary", [0, 1, 1, 0, 1, 1, 0, 0, 1, 1], [0, 1, 0, 0, 1, 1, 1, 0, 1, 1], 2)
    classify_case(w, "iris_absent_pred", [0, 0, 0, 1, 1, 1, 2, 2, 2, 2], [0, 0, 1, 1, 1, 0, 1, 1, 0, 0], 3,
                  ["setosa", "versicolor", "virginica"])
    classify_case(w, "perfect", [0, 1, 2, 1, 0, 2], [0, 1, 2, 1, 0, 2], 3, ["a", "b", "c"])
    classify_case(w, "worst", [0, 0, 1, 1, 1], [1, 1, 0, 0, 0], 2, ["no", "yes"])
    classify_case(w, "single_class_true", [1, 1, 1, 1], [1, 0, 1, 1], 2, ["neg", "pos"])
    classify_case(w, "absent_everywhere", [0, 2, 0, 2, 2], [0, 2, 2, 2, 0], 3, ["x", "never", "z"])
    y = rng.integers(0, 5, 200)
    p = np.where(rng.random(200) < 0.6, y, rng.integers(0, 5, 200))
    classify_case(w, "five_long_utf8_digits4", y, p, 5,
                  ["Iris-setosa", "clase_número_dos", "a very long class name indeed", "ñ", "5"], digits=4)
    classify_case(w, "digits7", y, p, 5, None, digits=7)
    w.close()


# ------------------------------------------------------------------- ranking

def roc(y, s):
    fpr, tpr, thr = metrics.roc_curve(y, s)
    thr = thr.copy()
    thr[0] = np.inf   # scikit-learn >= 1.3
    return fpr, tpr, thr


def ranking_case(w, name, y, s, threshold=0.5):
    y, s = np.asarray(y), np.asarray(s, dtype=np.float64)
    w.case(name)
    w.nums("y_true", y)
    w.nums("score", s)
    fpr, tpr, thr = roc(y, s)
    w.nums("roc_fpr", fpr)
    w.nums("roc_tpr", tpr)
    w.nums("roc_thresholds", thr)
    fpr2, tpr2, thr2 = metrics.roc_curve(y, s, drop_intermediate=False)
    w.nums("roc_all_fpr", fpr2)
    w.nums("roc_all_tpr", tpr2)
    w.nums("roc_auc", [metrics.roc_auc_score(y, s)])
    prec, rec, pthr = metrics.precision_recall_curve(y, s)
    w.nums("pr_precision", prec)
    w.nums("pr_recall", rec)
    w.nums("pr_thresholds", pthr)
    w.nums("average_precision", [metrics.average_precision_score(y, s)])
    j = int(np.argmax(tpr - fpr))
    w.nums("youden", [thr[j]])
    pred = (s >= threshold).astype(int)
    tn, fp, fn, tp = metrics.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    w.nums("threshold", [threshold])
    w.nums("counts", [tp, fp, tn, fn])
    w.nums("tpr", [metrics.recall_score(y, pred, zero_division=0)])
    w.nums("tnr", [metrics.recall_score(1 - y, 1 - pred, zero_division=0)])
    w.nums("fpr", [fp / (fp + tn) if fp + tn else 0.0])
    w.nums("precision", [metrics.precision_score(y, pred, zero_division=0)])
    w.nums("accuracy", [metrics.accuracy_score(y, pred)])


def ovr_case(w, name, y, prob):
    y = np.asarray(y)
    w.case(name)
    k = prob.shape[1]
    w.nums("k", [k])
    w.nums("y_true", y)
    w.nums("scores", prob)
    per = [metrics.roc_auc_score((y == c).astype(int), prob[:, c]) for c in range(k)]
    w.nums("per_class", per)
    w.nums("macro", [metrics.roc_auc_score(y, prob, multi_class="ovr", average="macro")])
    w.nums("weighted", [metrics.roc_auc_score(y, prob, multi_class="ovr", average="weighted")])


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def gen_ranking():
    rng = np.random.default_rng(7)
    w = Writer("ranking.txt", "roc_curve, roc_auc_score, precision_recall_curve, average_precision_score, "
               "Youden's J, threshold figures; multi-class one-vs-rest ROC AUC")
    ranking_case(w, "sklearn_doc", [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    ranking_case(w, "ties", [0, 1, 1, 0, 1, 0, 1, 1, 0, 0], [0.5, 0.5, 0.7, 0.2, 0.5, 0.7, 0.9, 0.2, 0.1, 0.5])
    ranking_case(w, "all_tied", [0, 1, 0, 1, 1], [0.3, 0.3, 0.3, 0.3, 0.3], threshold=0.3)
    ranking_case(w, "perfect", [0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.8, 0.9])
    ranking_case(w, "worst", [1, 1, 1, 0, 0], [0.1, 0.2, 0.3, 0.8, 0.9])
    ranking_case(w, "logits", [1, 0, 1, 0, 0, 1], [2.5, -1.0, 0.0, 0.0, -3.5, 7.25], threshold=0.0)
    y = rng.integers(0, 2, 400)
    s = np.round(np.clip(0.25 * y + rng.random(400) * 0.75, 0, 1), 2)   # rounding makes many ties
    ranking_case(w, "random_400_rounded", y, s)
    s = 0.3 * y + rng.random(400)
    ranking_case(w, "random_400", y, s, threshold=0.65)
    y3 = np.array([0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 2, 0])
    z = rng.normal(size=(12, 3)) + 1.5 * np.eye(3)[y3]
    ovr_case(w, "ovr3", y3, softmax(z))
    y4 = rng.integers(0, 4, 300)
    z = rng.normal(size=(300, 4)) + np.eye(4)[y4]
    ovr_case(w, "ovr4_300", y4, softmax(z))
    p = softmax(np.round(rng.normal(size=(300, 4)), 1))   # tied scores
    ovr_case(w, "ovr4_ties", y4, p)
    w.close()


# ---------------------------------------------------------------- regression

def regression_case(w, name, y, p):
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    w.case(name)
    w.nums("y_true", y)
    w.nums("y_pred", p)
    w.nums("mse", [metrics.mean_squared_error(y, p)])
    w.nums("rmse", [metrics.mean_squared_error(y, p, squared=False)])
    w.nums("mae", [metrics.mean_absolute_error(y, p)])
    w.nums("r2", [metrics.r2_score(y, p)])


def gen_regression():
    rng = np.random.default_rng(11)
    w = Writer("regression.txt", "mean_squared_error, its root, mean_absolute_error, r2_score")
    regression_case(w, "small", [3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    regression_case(w, "constant_perfect", [4.0, 4.0, 4.0], [4.0, 4.0, 4.0])
    regression_case(w, "constant_imperfect", [4.0, 4.0, 4.0], [4.0, 3.0, 5.0])
    regression_case(w, "constant_tenths", [0.1] * 11, [0.1] * 10 + [0.2])
    regression_case(w, "single_row", [2.0], [1.5])
    regression_case(w, "worse_than_mean", [1, 2, 3, 4], [4, 3, 2, 1])
    y = rng.normal(10, 3, 1000)
    regression_case(w, "random_1000", y, y + rng.normal(0, 1, 1000))
    y = rng.normal(0, 1e6, 257)
    regression_case(w, "large_257", y, y * 0.9 + 1e5)
    w.close()


# ---------------------------------------------------------------------- prep
#
# A prep case holds the input table as CSV text ("text csv"), the steps
# (strings "steps", each "OPTION VALUE", the value possibly empty), and the
# prepared table: its header (strings "columns") and per column either
# "num:COL" (numbers, nan when missing) or "strings text:COL" (text, the
# line "<NA>" when missing).

def prep_case(w, name, csv_text, steps, df):
    w.case(name)
    w.text("csv", csv_text)
    w.strings("steps", steps)
    w.strings("columns", list(df.columns))
    for c in df.columns:
        col = df[c]
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            w.nums("num:" + c, col.astype(np.float64))
        else:
            w.strings("text:" + c, ["<NA>" if pd.isna(v) else str(v) for v in col])


def read(csv_text):
    return pd.read_csv(io.StringIO(csv_text))


def std_scale(x):
    m = np.nanmean(x)
    v = np.nanvar(x)
    eps = np.finfo(np.float64).eps
    n = np.sum(~np.isnan(x))
    scale = 1.0 if v <= n * eps * v + (n * m * eps) ** 2 else np.sqrt(v)
    return (x - m) / scale


def gen_prep():
    rng = np.random.default_rng(13)
    w = Writer("prep.txt", "pandas cut/qcut/get_dummies/fillna/dropna, sklearn MinMaxScaler/StandardScaler")
    n = 60
    length = np.round(rng.normal(120, 25, n), 1)
    mpg = np.round(rng.normal(25, 5, n), 2)
    mpg[rng.choice(n, 8, replace=False)] = np.nan
    fuel = rng.choice(["gas", "diesel", "electric"], n)
    size = rng.choice(["small", "mid", "large"], n)
    price = np.round(rng.gamma(2, 100, n))
    price[rng.choice(n, 5, replace=False)] = np.nan
    cls = rng.choice([1, 2, 3], n)
    lines = ["length,mpg,fuel,size,price,cls"] + [
        f"{length[i]!r},{'' if np.isnan(mpg[i]) else repr(mpg[i])},{fuel[i]},{size[i]},"
        f"{'' if np.isnan(price[i]) else repr(price[i])},{cls[i]}" for i in range(n)]
    cars = "\n".join(lines) + "\n"
    d = read(cars)

    # Bins: equal width, equal frequency, edges, labelled.
    for k in (1, 3, 7):
        prep_case(w, f"cut_width_{k}", cars, [f"bins length={k}:width"], d.assign(length=pd.cut(d.length, k)))
    for k in (2, 4, 10):
        prep_case(w, f"qcut_{k}", cars, [f"bins mpg={k}:freq"], d.assign(mpg=pd.qcut(d.mpg, k)))
    prep_case(w, "cut_edges", cars, ["bins length=60,100,120.5,200"],
              d.assign(length=pd.cut(d.length, [60, 100, 120.5, 200])))
    prep_case(w, "cut_labelled", cars, ["bins length=<=100:BREVE,<=136:NORMAL,>136:LARGA"],
              d.assign(length=pd.cut(d.length, [-np.inf, 100, 136, np.inf], labels=["BREVE", "NORMAL", "LARGA"])))
    small = "x\n0.0001\n0.00025\n0.0004\n0.0007\n0.00071\n"
    prep_case(w, "cut_small_values", small, ["bins x=4:width"], read(small).assign(x=pd.cut(read(small).x, 4)))
    prep_case(w, "qcut_small_values", small, ["bins x=3:freq"], read(small).assign(x=pd.qcut(read(small).x, 3)))
    big = "x\n-1500000\n20\n3000000.5\n7\n"
    prep_case(w, "cut_big_values", big, ["bins x=3:width"], read(big).assign(x=pd.cut(read(big).x, 3)))
    const = "x\n5\n5\n5\n"
    prep_case(w, "cut_constant", const, ["bins x=1:width"], read(const).assign(x=pd.cut(read(const).x, 1)))

    # Missing values.
    prep_case(w, "dropna_all", cars, ["drop-missing "], d.dropna().reset_index(drop=True))
    prep_case(w, "dropna_subset", cars, ["drop-missing price"], d.dropna(subset=["price"]).reset_index(drop=True))
    prep_case(w, "fill_mean", cars, ["fill mpg=mean"], d.assign(mpg=d.mpg.fillna(d.mpg.mean())))
    prep_case(w, "fill_median", cars, ["fill mpg,price=median"],
              d.assign(mpg=d.mpg.fillna(d.mpg.median()), price=d.price.fillna(d.price.median())))
    prep_case(w, "fill_mode", cars, ["fill price=mode"], d.assign(price=d.price.fillna(d.price.mode()[0])))
    prep_case(w, "fill_value", cars, ["fill mpg=-1"], d.assign(mpg=d.mpg.fillna(-1.0)))
    for how in ("mean", "median"):
        g = d.groupby("fuel").mpg.transform(how)
        prep_case(w, f"fill_class_{how}", cars, [f"fill mpg={how}:fuel"],
                  d.assign(mpg=d.mpg.fillna(g).fillna(getattr(d.mpg, how)())))
    g = d.groupby("cls").price.transform("mean")
    prep_case(w, "fill_class_numeric_key", cars, ["fill price=mean:cls"],
              d.assign(price=d.price.fillna(g).fillna(d.price.mean())))
    txt = "a,b\nx,1\n,2\ny,3\nx,4\ny,5\n,6\n"
    t = read(txt)
    prep_case(w, "fill_text_mode", txt, ["fill a=mode"], t.assign(a=t.a.fillna(t.a.mode()[0])))
    prep_case(w, "fill_text_value", txt, ["fill a=unknown"], t.assign(a=t.a.fillna("unknown")))

    # Numerization.
    prep_case(w, "onehot", cars, ["onehot fuel"], pd.get_dummies(d, columns=["fuel"]).astype(
        {f"fuel_{v}": np.float64 for v in ("diesel", "electric", "gas")}))
    oh = pd.get_dummies(d, columns=["cls"])
    prep_case(w, "onehot_numeric", cars, ["onehot cls"], oh.astype({c: np.float64 for c in oh.columns if c.startswith("cls_")}))
    oh = pd.get_dummies(d, columns=["fuel", "size"])
    prep_case(w, "onehot_two", cars, ["onehot fuel,size"], oh.astype({c: np.float64 for c in oh.columns if "_" in c}))
    order = ["small", "mid", "large"]
    prep_case(w, "ordinal", cars, ["ordinal size=small,mid,large"],
              d.assign(size=pd.Categorical(d["size"], categories=order, ordered=True).codes.astype(np.float64)))

    # Normalization.
    x = d.mpg.to_numpy()
    prep_case(w, "minmax", cars, ["normalize mpg=minmax"],
              d.assign(mpg=(x - np.nanmin(x)) / (np.nanmax(x) - np.nanmin(x))))
    from sklearn.preprocessing import MinMaxScaler, StandardScaler
    prep_case(w, "minmax_range", cars, ["normalize length=minmax:-1,1"],
              d.assign(length=MinMaxScaler((-1, 1)).fit_transform(d[["length"]]).ravel()))
    prep_case(w, "zscore", cars, ["normalize length,mpg=zscore"],
              d.assign(length=StandardScaler().fit_transform(d[["length"]]).ravel(),
                       mpg=StandardScaler().fit_transform(d[["mpg"]]).ravel()))
    prep_case(w, "zscore_sample", cars, ["normalize mpg=zscore:sample"],
              d.assign(mpg=(d.mpg - d.mpg.mean()) / d.mpg.std()))
    prep_case(w, "zscore_constant", const, ["normalize x=zscore"],
              read(const).assign(x=StandardScaler().fit_transform(read(const)[["x"]]).ravel()))

    # A pipeline, steps in order.
    e = d.dropna(subset=["price"]).reset_index(drop=True)
    e = e.assign(mpg=e.mpg.fillna(e.mpg.median()))
    e = e.assign(length=pd.cut(e.length, [-np.inf, 100, 136, np.inf], labels=["S", "M", "L"]))
    e = pd.get_dummies(e, columns=["length"])
    e = e.assign(size=pd.Categorical(e["size"], categories=order, ordered=True).codes.astype(np.float64))
    e = e.assign(price=std_scale(e.price.to_numpy()))
    e = e.astype({c: np.float64 for c in e.columns if c.startswith("length_")})
    prep_case(w, "pipeline", cars, ["drop-missing price", "fill mpg=median", "bins length=<=100:S,<=136:M,>136:L",
                                    "onehot length", "ordinal size=small,mid,large", "normalize price=zscore"], e)
    w.close()


if __name__ == "__main__":
    gen_classify()
    gen_ranking()
    gen_regression()
    gen_prep()
