#!/bin/sh
# make bench: W1 (MLP), W2, W4, W5 (CNNs), W3 (RNNs) side by side with PyTorch,
# alternating the two systems over several processes (the machine is
# noisy), medians and ratios. Both run with OPENBLAS_CORETYPE unset (these
# machines pin it to Haswell), PyTorch in its best configuration (threads =
# cores, one OpenBLAS thread, tcmalloc).
# Usage: bench/run.sh BUILD_DIR [rounds] [seconds]
set -u
build=$1
rounds=${2:-5}
secs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
cores=$(nproc)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
torch=0
/usr/bin/python3 -c "import torch" 2>/dev/null && torch=1
tcm=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -f "$tcm" ] || tcm=
echo "W1: MLP 784-256-128-10 ReLU, softmax CE, Adam, batch 128"
echo "W2: 28x28x1 Conv2D(32,3) MaxPool Conv2D(16,3) MaxPool Flatten Dense(10), 8,954 params"
echo "W4: convolutional autoencoder 28x28x1, 4,385 params, BCE, batch 128"
echo "W5: 32x32x3 Conv(32,3,same) x2 MaxPool Conv(64,3,same) x2 MaxPool Dense(512) Dense(10), batch 64"
echo "W3: (24,1) -> LSTM(32) | LSTM(128) | GRU(64) -> Dense(1), MSE, batch 64"
echo "$cores threads; $rounds rounds of ${secs}s per figure; Adam 1e-3, synthetic data"
median() { grep "$2" "$1" | sed 's/.*=//' | sort -g | awk '{v[NR]=$1} END {if (NR) print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
i=0
while [ $i -lt "$rounds" ]; do
  for w in w1 cnn rnn; do
    env -u OPENBLAS_CORETYPE NEURONA_NUM_THREADS=$cores "$build/bench_$w" "$secs" >>"$tmp/nr" || exit 1
    if [ $torch = 1 ]; then
      env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 ${tcm:+LD_PRELOAD=$tcm} \
        /usr/bin/python3 "$here/torch_$w.py" "$secs" "$cores" >>"$tmp/pt" || exit 1
    fi
  done
  i=$((i + 1))
done
grep threads= "$tmp/nr" | tail -1
peak=$(median "$tmp/nr" "sgemm1024 gflops")
echo "OpenBLAS SGEMM 1024^3 on $cores threads (the machine's reference point): $peak GFLOP/s"
# Training FLOPs per sample are 3x the forward pass (6x multiply-adds), as
# BENCHMARKING.md counts; prediction does the forward third.
printf "%-28s %10s %10s %8s %12s %8s\n" figure neurona pytorch ratio "neurona GF/s" "% peak"
while read -r w name key flops; do
  fig="$w $name $key"
  a=$(median "$tmp/nr" "$fig=")
  [ -n "$a" ] || continue
  b=-; r=-
  if [ $torch = 1 ]; then
    b=$(median "$tmp/pt" "$fig=")
    r=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2fx", a / b}')
  fi
  gf=-; pct=-
  case $fig in
    *train*|w3*) gf=$(awk -v a="$a" -v f="$flops" 'BEGIN {printf "%.1f", a * f / 1e9}') ;;
    *predict128*) gf=$(awk -v a="$a" -v f="$flops" 'BEGIN {printf "%.1f", a * f / 3 / 1e9}') ;;
  esac
  [ "$gf" != - ] && pct=$(awk -v g="$gf" -v p="$peak" 'BEGIN {printf "%.0f%%", 100 * g / p}')
  printf "%-28s %10s %10s %8s %12s %8s\n" "$w $name $key" "$a" "$b" "$r" "$gf" "$pct"
done <<TABLE
w1 train samples_per_s 1.41e6
w1 predict128 samples_per_s 1.41e6
w1 predict1 latency_ms 0
w2 train64 samples_per_s 4.54e6
w2 train128 samples_per_s 4.54e6
w2 predict128 samples_per_s 4.54e6
w2 predict1 latency_ms 0
w4 train128 samples_per_s 4.51e6
w5 train64 samples_per_s 159.5e6
w3 lstm32 samples_per_s 0.608e6
w3 lstm128 samples_per_s 9.51e6
w3 gru64 samples_per_s 1.80e6
TABLE
[ $torch = 1 ] || echo "(python3-torch not installed: PyTorch columns empty)"
echo "ratio = neurona / pytorch (for latency lower is better)"
