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

# Image folders: PNG files that neurona itself draws from one-image IDX
# files (no image tools needed), then every command that reads them.
idx_one() {   # idx_one FILE TOP: one 4x4 image, its top (1) or bottom (0) half bright
  { byte 0; byte 0; byte 8; byte 3; be32 1; be32 4; be32 4
    p=0; while [ $p -lt 16 ]; do
      if [ $((p < 8)) -eq "$2" ]; then byte 200; else byte 10; fi; p=$((p + 1))
    done; } >"$1"
}
mkdir -p "$tmp/img/top" "$tmp/img/bottom"
for i in 1 2 3 4; do
  idx_one "$tmp/one" 1; "$cli" images "$tmp/one" "$tmp/img/top/$i.png" --zoom 1 --padding 0 >/dev/null
  idx_one "$tmp/one" 0; "$cli" images "$tmp/one" "$tmp/img/bottom/$i.png" --zoom 1 --padding 0 >/dev/null
done
vg train "$fx/tiny_images_cnn.nr" --data "$tmp/img" --test "$tmp/img" --epochs 2 --out "$tmp/img.nrm"
vg train "$fx/tiny_images_unbuilt.nr" --data "$tmp/img" --image-size 3x5 --color-mode rgb --epochs 1 \
  --out "$tmp/img_rgb.nrm"
vg evaluate "$tmp/img.nrm" --data "$tmp/img"
vg predict "$tmp/img.nrm" --data "$tmp/img"
vg predict "$tmp/img.nrm" --data "$tmp/img" --save-images "$tmp/out.png"
vg images "$tmp/img" "$tmp/grid.png"
vg images "$tmp/idx" "$tmp/grid.png" --count 4 --minmax image
vg filters "$tmp/img.nrm" "$tmp/filters.png"
vg filters "$tmp/tiny.nrm" "$tmp/filters.png"
mkdir -p "$tmp/img/empty"
vg train "$fx/tiny_images_cnn.nr" --data "$tmp/img" --epochs 1 --out "$tmp/img2.nrm"
rmdir "$tmp/img/empty"
head -c 40 "$tmp/img/top/1.png" >"$tmp/img/top/0.png"
vg evaluate "$tmp/img.nrm" --data "$tmp/img"

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

# A time series: a short run on a sawtooth, forecasts, and the error paths.
awk 'BEGIN { print "t,y,z"; for (i = 0; i < 80; i++) print i "," (i % 10) "," (i % 3) }' >"$tmp/saw.csv"
printf 'Input(shape=(6, 1))\nFlatten()\nDense(4)\nDense(1)\ncompile(loss="mse")\n' >"$tmp/saw.nr"
vg train "$tmp/saw.nr" --series "$tmp/saw.csv" --target y --window 6 --epochs 2 --verbose 2 --out "$tmp/saw.nrm"
vg summary "$tmp/saw.nrm"
vg forecast "$tmp/saw.nrm" --series "$tmp/saw.csv" --period 10 --out "$tmp/saw_forecast.csv"
vg forecast "$tmp/saw.nrm" --series "$tmp/saw.csv" --steps 4 --plot "$tmp/saw.svg"
vg forecast "$tmp/saw.nrm" --series "$tmp/saw.csv" --plot "$tmp/saw.png"
vg forecast "$tmp/saw.nrm" --series "$fx/xor.csv"
vg train "$tmp/saw.nr" --series "$tmp/saw.csv" --target y --columns y,z --window 6 --epochs 1
vg train "$tmp/saw.nr" --series "$tmp/saw.csv" --target y --window 6 --split 0.5,0.5,0.5
vg train "$tmp/saw.nr" --series "$tmp/saw.csv" --target q --window 6
vg predict "$tmp/saw.nrm" --data "$tmp/saw.csv"

# describe: the report, percentiles by another method, the plots, and the errors.
vg describe "$iris"
vg describe "$here/tests/fixtures/stats/mixed.csv" --percentiles 5,95 --method hazen
vg describe "$iris" --columns sepal_width,species --plots "$tmp/describe"
vg describe "$iris" --columns sepal_length,petal_length --plots "$tmp/describe" --format svg \
  --scatter sepal_length,petal_length
vg describe "$iris" --columns sepal_lenght
vg describe "$fx/text_feature.csv" --plots "$tmp/describe" --scatter a,b
vg describe "$fx/empty.csv"
vg describe "$iris" --method hazzen

# history: learning curves from a History CSV, PNG and SVG, and a file without epochs.
printf 'epoch,loss,val_loss\n0,0.9,1.0\n1,0.5,0.7\n2,0.4,0.6\n' >"$tmp/history.csv"
vg history "$tmp/history.csv" "$tmp/curves.png"
vg history "$tmp/history.csv" "$tmp/curves.svg"
vg history "$iris" "$tmp/curves.png"
# Metrics of predictions made anywhere, preparation steps, steps kept in a
# model, evaluate --report; and their error paths.
vg metrics "$fx/preds_binary.csv" --true label --pred class --score yes --threshold youden
vg metrics "$fx/preds_iris.csv" --true species --pred class --score setosa,versicolor,virginica --digits 4
vg metrics "$fx/preds_reg.csv" --true y --pred pred
vg metrics "$fx/preds_one_class.csv" --true label --score score
vg metrics "$fx/preds_binary.csv" --true label --score class
vg metrics "$fx/preds_binary.csv" --true nothing --pred class
vg prep "$fx/cars.csv" --out "$tmp/cars_ready.csv" --drop-missing=price --fill mpg=mean:size --bins length=3:freq \
  --onehot length,fuel --ordinal size=small,mid,large --normalize price=minmax:-1,1
vg prep "$fx/cars.csv" --bins 'length=<=100:SHORT,>100:LONG' --fill fuel=mode --normalize mpg=zscore
vg prep "$fx/cars.csv" --bins length=9:width
vg prep "$fx/cars.csv" --ordinal size=small,mid
vg train "$fx/regression.nr" --data "$fx/regression.csv" --target y --normalize x1=minmax \
  --bins 'x2=<=0:LOW,>0:HIGH' --ordinal x2=LOW,HIGH --epochs 1 --verbose 0 --out "$tmp/reg_prep.nrm"
vg evaluate "$tmp/reg_prep.nrm" --data "$fx/regression.csv" --target y --report
vg predict "$tmp/reg_prep.nrm" --data "$fx/regression.csv" --target y
vg predict "$tmp/reg_prep.nrm" --data "$fx/cars.csv"
vg evaluate "$tmp/iris.nrm" --data "$iris" --target species --report

# The evaluation plots: two classes, more classes, regression, and evaluate --plots.
vg metrics "$fx/preds_binary.csv" --true label --pred class --score yes --plots "$tmp/mplots"
vg metrics "$fx/preds_iris.csv" --true species --pred class --score setosa,versicolor,virginica --plots "$tmp/mplots" --format png
vg metrics "$fx/preds_reg.csv" --true y --pred pred --plots "$tmp/mplots" --format svg
vg evaluate "$tmp/iris.nrm" --data "$iris" --target species --plots "$tmp/eplots" --format svg

# The classic neurons: trace, non-convergence, McCulloch-Pitts, softmax, a plot and errors.
vg neuron --kind perceptron --data "$fx/and.csv" --target y --trace --plot "$tmp/neuron.png"
vg neuron --kind perceptron --data "$fx/xor.csv" --target y --n-iter 5
vg neuron --kind mp --data "$fx/and.csv" --target y --weights 1,1 --threshold 2
vg neuron --kind multiclass --data "$iris" --target species --n-iter 5
vg neuron --kind general --data "$fx/and.csv" --target y --activation tanh --cost bce
vg neuron --kind adaline --data "$fx/and.csv" --target y --plot "$tmp/neuron.svg"

# Keras files: read (.h5, .keras, .json), converted both ways, and bad ones.
kf=$here/tests/fixtures/kerasfiles
vg summary "$kf/rnn2.h5"
vg summary "$kf/func.keras"
vg summary "$kf/cnn.json"
vg convert "$kf/func.h5" "$tmp/func.nrm"
vg convert "$tmp/func.nrm" "$tmp/func.keras"
vg convert "$tmp/func.nrm" "$tmp/func.h5"
vg convert "$kf/rnn.keras" "$tmp/rnn.weights.h5"
vg convert "$kf/mlp.weights.h5" "$tmp/bad.keras"
head -c 20000 "$kf/mlp.h5" >"$tmp/cut.h5"
vg summary "$tmp/cut.h5"
# Generative models: a GAN and a VAE on the tiny IDX folder, their pictures and models, and errors.
vg gan "$fx/tiny_gan.nr" --data "$tmp/idx" --epochs 1 --batch-size 8 --samples 4 --out "$tmp/gan"
vg vae "$fx/tiny_vae.nr" --data "$tmp/idx" --epochs 1 --batch-size 8 --grid 3 --out "$tmp/vae"
vg summary "$tmp/vae/vae.nrm"
vg gan "$fx/tiny_vae.nr" --data "$tmp/idx" --out "$tmp/gan_err"
vg vae "$fx/tiny_vae.nr" --data "$tmp/nowhere" --out "$tmp/vae_err"
# Hyperparameter search: parallel trials, Hyperband's saved weights, a resume, the plot, errors.
digits=$here/data/digits.csv.gz
vg tune "$here/examples/digits_tune.nr" --data "$digits" --target -1 --max-trials 3 --parallel 2 \
  --epochs 1 --out "$tmp/tune" --plot "$tmp/tune/trials.png"
vg tune "$here/examples/digits_tune.nr" --data "$digits" --target -1 --max-trials 4 --epochs 1 --out "$tmp/tune"
vg tune "$here/examples/digits_tune.nr" --data "$digits" --target -1 --tuner hyperband --max-epochs 3 --parallel 2 \
  --out "$tmp/tune_hb"
vg tune "$here/examples/digits_tune.nr" --data "$digits" --target -1 --tuner grid --out "$tmp/tune_grid"
# Autoencoders: a denoising one with fresh noise and its encoder saved,
# its reconstructions drawn, anomaly detection, and an error path.
cat >"$tmp/ae.nr" <<'SPEC'
inp = Input(shape=(4, 4, 1))
code = Dense(3, activation="relu")(Flatten()(inp))
encoder = Model(inp, code)
autoencoder = Model(inp, Reshape((4, 4, 1))(Dense(16, activation="sigmoid")(code)))
autoencoder.compile(optimizer="adam", loss="mse")
SPEC
vg train "$tmp/ae.nr" --data "$tmp/idx" --noise 0.5 --fresh-noise --epochs 2 --out "$tmp/ae.nrm" \
  --save-model encoder="$tmp/enc.nrm"
vg reconstruct "$tmp/ae.nrm" --data "$tmp/idx" --noise 0.5 --out "$tmp/rec.png"
vg anomaly "$tmp/ae.nr" --data "$tmp/idx" --anomaly-class 1 --rate 0.5 --epochs 2 --pr-curve "$tmp/pr.png" \
  --histogram "$tmp/hist.png" --scores "$tmp/scores.csv"
vg anomaly "$tmp/ae.nrm" --data "$tmp/idx" --anomaly-class 7
