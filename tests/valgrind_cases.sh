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

# IDX data: a folder of four tiny files (4x4 images, top or bottom bright).
byte() { printf "\\$(printf %03o "$1")"; }
be32() { byte $(($1 >> 24 & 255)); byte $(($1 >> 16 & 255)); byte $(($1 >> 8 & 255)); byte $(($1 & 255)); }
idx_set() {   # idx_set PREFIX N
  { byte 0; byte 0; byte 8; byte 3; be32 "$2"; be32 4; be32 4
    i=0; while [ $i -lt "$2" ]; do
      p=0; while [ $p -lt 16 ]; do
        if [ $((p < 8)) -eq $((i % 2 == 0)) ]; then byte 200; else byte 10; fi; p=$((p + 1))
      done; i=$((i + 1))
    done; } >"$1-images-idx3-ubyte"
  { byte 0; byte 0; byte 8; byte 1; be32 "$2"
    i=0; while [ $i -lt "$2" ]; do byte $((i % 2)); i=$((i + 1)); done; } >"$1-labels-idx1-ubyte"
}
mkdir -p "$tmp/idx"
idx_set "$tmp/idx/train" 16
idx_set "$tmp/idx/t10k" 6
vg train "$fx/tiny_images.nr" --data "$tmp/idx" --epochs 2 --out "$tmp/tiny.nrm"
vg train "$fx/tiny_images_unbuilt.nr" --data "$tmp/idx" --epochs 2 --out "$tmp/tiny_unbuilt.nrm"
vg evaluate "$tmp/tiny.nrm" --data "$tmp/idx"
vg predict "$tmp/tiny.nrm" --data "$tmp/idx"
vg evaluate "$tmp/tiny.nrm" --data "$tmp"

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
