# Cases for tests/valgrind_cli.sh, which sources this file: each `vg ARGS`
# runs `neurona ARGS` under valgrind and fails on any leak or memory error
# (not on the command's own exit code: the error paths must be clean too).
# $here is the source tree, $tmp a scratch folder removed afterwards.

# valgrind runs threads one at a time anyway: one thread is as fast, and
# the runs then do the same work whatever the machine's core count.
export NEURONA_NUM_THREADS=1

ex=$here/examples
fx=$here/tests/fixtures/cli
iris=$here/data/iris.csv

# Help, version and summaries.
vg train --help
vg --version
vg summary "$ex/iris_mlp.nr"
vg summary "$ex/functional_iris.nr"

# A short training run, then everything that reads its model.
vg train "$ex/iris_mlp.nr" --data "$iris" --target species --test-split 0.2 --epochs 2 --verbose 2 \
  --out "$tmp/iris.nrm" --history "$tmp/iris_history.csv"
vg summary "$tmp/iris.nrm"
vg evaluate "$tmp/iris.nrm" --data "$iris" --target species
vg predict "$tmp/iris.nrm" --data "$iris" --target species
vg predict "$tmp/iris.nrm" --data "$iris" --target species --out "$tmp/predictions.csv"
vg train "$ex/xor.nr" --data "$fx/xor.csv" --target y --test "$fx/xor.csv" --epochs 2 --verbose 0 \
  --out "$tmp/xor.nrm"

# Usage errors.
vg
vg trian
vg train "$ex/iris_mlp.nr" --data "$iris" --target species --epoch 2
vg train "$ex/iris_mlp.nr" --data "$iris"
vg train "$ex/iris_mlp.nr" --data "$iris" --target species --scale minmx

# Bad files.
vg summary /nonexistent/model.nr
vg summary "$fx/bad_syntax.nr"
vg train "$fx/bad_syntax.nr" --data "$iris" --target species
vg train "$fx/no_compile.nr" --data "$iris" --target species
vg train "$ex/iris_mlp.nr" --data "$fx/ragged.csv" --target label
vg train "$ex/iris_mlp.nr" --data "$fx/text_feature.csv" --target label
vg train "$ex/iris_mlp.nr" --data "$fx/empty.csv" --target label
vg train "$ex/iris_mlp.nr" --data "$iris" --target colour
vg train "$fx/wrong_input.nr" --data "$iris" --target species --verbose 0
vg evaluate "$tmp/iris.nrm" --data "$fx/unknown_class.csv" --target species
vg evaluate "$tmp/iris.nrm" --data "$fx/regression.csv" --target y
vg predict "$tmp/iris.nrm" --data "$iris"

# Damaged model files: one flipped byte, and a file cut short.
cp "$tmp/iris.nrm" "$tmp/flipped.nrm"
printf '\377' | dd of="$tmp/flipped.nrm" bs=1 seek=300 conv=notrunc 2>/dev/null
vg evaluate "$tmp/flipped.nrm" --data "$iris" --target species
head -c 200 "$tmp/iris.nrm" >"$tmp/cut.nrm"
vg predict "$tmp/cut.nrm" --data "$iris" --target species
