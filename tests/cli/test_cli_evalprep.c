/* neurona metrics, neurona prep, the preparation steps of train kept in
 * the model and applied by predict and evaluate, and evaluate --report:
 * the figures against scikit-learn's (computed for these fixtures with
 * sklearn 1.2), the prepared files against pandas', and the errors. */
#include "cli/test_cli_run.h"

static const char iris_report[] =
    "              precision    recall  f1-score   support\n\n"
    "      setosa       1.00      1.00      1.00         2\n"
    "  versicolor       0.50      0.50      0.50         2\n"
    "   virginica       0.67      0.67      0.67         3\n\n"
    "    accuracy                           0.71         7\n"
    "   macro avg       0.72      0.72      0.72         7\n"
    "weighted avg       0.71      0.71      0.71         7\n";

static void test_metrics(void) {
    cli_result r = cli_run("metrics %s --true label --pred class --score yes", FIXTURE("preds_binary.csv"));
    CHECK(r.rc == 0);
    CHECK(strstr(r.out, "Binary figures, positive class 'yes'") && strstr(r.out, "ROC AUC            0.875000"));
    CHECK(strstr(r.out, "average precision  0.887500") && strstr(r.out, "TP 3  FP 1  TN 3  FN 1"));
    cli_result_free(&r);
    r = cli_run("metrics %s --true label --score yes --threshold youden --positive yes", FIXTURE("preds_binary.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "threshold          0.4 (Youden's J") && strstr(r.out, "TP 4  FP 1  TN 3  FN 0"));
    cli_result_free(&r);
    r = cli_run("metrics %s --true species --pred class --score virginica,setosa,versicolor", FIXTURE("preds_iris.csv"));
    CHECK(r.rc == 0 && strstr(r.out, iris_report));
    CHECK(strstr(r.out, "     macro avg  0.938889") && strstr(r.out, "  weighted avg  0.935714"));
    cli_result_free(&r);
    r = cli_run("metrics %s --true y --pred pred", FIXTURE("preds_reg.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "MSE   0.375") && strstr(r.out, "R2    0.948608137"));
    cli_result_free(&r);
    expect(1, "--true: no column 'truth'; the columns are label, class, yes", "metrics %s --true truth --pred class",
           FIXTURE("preds_binary.csv"));
    expect(1, "column 'class' holds the text 'no' where --score needs a number", "metrics %s --true label --score class",
           FIXTURE("preds_binary.csv"));
    expect(1, "only one class present in y_true", "metrics %s --true label --score score",
           FIXTURE("preds_one_class.csv"));
    expect(2, "--threshold: expected a number or 'youden'", "metrics %s --true label --pred class --threshold high",
           FIXTURE("preds_binary.csv"));
    expect(2, "missing --true", "metrics %s --pred class", FIXTURE("preds_binary.csv"));
    expect(1, "--score: 1 column for 3 classes", "metrics %s --true species --pred class --score setosa",
           FIXTURE("preds_iris.csv"));
}

static void test_prep(void) {
    cli_result r = cli_run("prep %s --out %s --drop-missing=price --fill mpg=median --bins length=3:width "
                           "--onehot fuel --ordinal size=small,mid,large", FIXTURE("cars.csv"), tmp_path("ready.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "  (89.94, 110.0]         3"));
    char *got = nr_test_read_file(tmp_path("ready.csv"), NULL);
    /* pandas: cut, median fill, get_dummies (written as 0/1), codes */
    const char *want = "length,mpg,size,price,fuel_diesel,fuel_electric,fuel_gas\n"
                       "\"(89.94, 110.0]\",30,0,100,0,0,1\n\"(110.0, 130.0]\",29,1,200,1,0,0\n"
                       "\"(89.94, 110.0]\",28,0,150,0,1,0\n\"(130.0, 150.0]\",25,1,180,0,0,1\n"
                       "\"(130.0, 150.0]\",29,2,300,1,0,0\n\"(89.94, 110.0]\",31,0,120,0,0,1\n";
    if (!CHECK(got && strcmp(got, want) == 0)) fprintf(stderr, "got:\n%s", got);
    free(got);
    cli_result_free(&r);
    expect(1, "8 bins but the column has 7 distinct values", "prep %s --bins length=8:width", FIXTURE("cars.csv"));
    expect(1, "where bins need a number", "prep %s --bins fuel=2:freq", FIXTURE("cars.csv"));
    expect(1, "no column 'weight'", "prep %s --normalize weight=zscore", FIXTURE("cars.csv"));
    expect(2, "give at least one step", "prep %s --out x.csv", FIXTURE("cars.csv"));
}

/* Steps given to train travel in the model to predict and evaluate. */
static void test_model_steps(void) {
    cli_result r = cli_run("train %s --data %s --target y --test %s --normalize x1=minmax "
                           "--bins 'x2=<=0:LOW,>0:HIGH' --ordinal x2=LOW,HIGH --epochs 2 --verbose 0 --out %s", FIXTURE("regression.nr"),
                           FIXTURE("regression.csv"), FIXTURE("regression.csv"), tmp_path("reg.nrm"));
    if (!CHECK(r.rc == 0)) fprintf(stderr, "%s%s", r.out, r.err);
    cli_result_free(&r);
    r = cli_run("evaluate %s --data %s --target y --report", tmp_path("reg.nrm"), FIXTURE("regression.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "Regression (") && strstr(r.out, "R2 "));
    cli_result_free(&r);
    r = cli_run("predict %s --data %s --target y", tmp_path("reg.nrm"), FIXTURE("regression.csv"));
    CHECK(r.rc == 0 && starts_with(r.out, "prediction\n"));
    cli_result_free(&r);
    expect(1, "the header is length,mpg,fuel,size,price but the prep steps were fitted on", "predict %s --data %s",
           tmp_path("reg.nrm"), FIXTURE("cars.csv"));
    expect(2, "rather than --test-split", "train %s --data %s --target y --test-split 0.2 --onehot x2",
           FIXTURE("regression.nr"), FIXTURE("regression.csv"));
}

static void test_evaluate_report(void) {
    cli_result r = cli_run("train %s --data %s --target species --epochs 5 --verbose 0 --out %s",
                           SRC_PATH("examples/iris_mlp.nr"), SRC_PATH("data/iris.csv"), tmp_path("iris.nrm"));
    CHECK(r.rc == 0);
    cli_result_free(&r);
    r = cli_run("evaluate %s --data %s --target species --report --digits 3", tmp_path("iris.nrm"),
                SRC_PATH("data/iris.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "Confusion matrix (rows: true class, columns: predicted class):"));
    CHECK(strstr(r.out, "              precision    recall  f1-score   support\n\n      setosa") != NULL);
    CHECK(strstr(r.out, "ROC AUC, each class against the rest:") && strstr(r.out, "weighted avg  0."));
    cli_result_free(&r);
}

int main(void) {
    cli_setup();
    test_metrics();
    test_prep();
    test_model_steps();
    test_evaluate_report();
    cli_cleanup();
    return nr_test_finish();
}
