#!/bin/sh
# make bench: W1 side by side with PyTorch, alternating the two systems over
# several processes (the machine is noisy), medians and ratios.
# Both run with OPENBLAS_CORETYPE unset (these machines pin it to Haswell),
# PyTorch in its best configuration (threads = cores, one OpenBLAS thread,
# tcmalloc). Usage: bench/run.sh BUILD_DIR [rounds] [seconds]
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
echo "W1: MLP 784-256-128-10 ReLU, softmax CE, Adam, batch 128; $cores threads; $rounds rounds of ${secs}s"
median() { grep "$2" "$1" | sed 's/.*=//' | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
i=0
while [ $i -lt "$rounds" ]; do
  env -u OPENBLAS_CORETYPE NEURONA_NUM_THREADS=$cores "$build/bench_w1" "$secs" >>"$tmp/nr" || exit 1
  if [ $torch = 1 ]; then
    env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 ${tcm:+LD_PRELOAD=$tcm} \
      /usr/bin/python3 "$here/torch_w1.py" "$secs" "$cores" >>"$tmp/pt" || exit 1
  fi
  i=$((i + 1))
done
grep threads= "$tmp/nr" | tail -1
peak=$(median "$tmp/nr" "sgemm1024 gflops")
echo "OpenBLAS SGEMM 1024^3 on $cores threads (the machine's reference point): $peak GFLOP/s"
# Training FLOPs per sample: 3x the forward pass (6x multiply-adds), as BENCHMARKING.md counts.
flops=1.41e6
printf "%-26s %10s %10s %8s %12s %8s\n" figure neurona pytorch ratio "neurona GF/s" "% peak"
for f in "train samples_per_s" "predict128 samples_per_s" "predict1 latency_ms"; do
  key=$(echo "$f" | tr ' ' '.')
  a=$(median "$tmp/nr" "w1 $f")
  b=-; r=-
  if [ $torch = 1 ]; then
    b=$(median "$tmp/pt" "w1 $f")
    case $f in
      *latency*) r=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2fx", a / b}') ;;
      *) r=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2fx", a / b}') ;;
    esac
  fi
  case $f in
    train*) gf=$(awk -v a="$a" -v f=$flops 'BEGIN {printf "%.1f", a * f / 1e9}') ;;
    predict128*) gf=$(awk -v a="$a" -v f=$flops 'BEGIN {printf "%.1f", a * f / 3 / 1e9}') ;;
    *) gf=- ;;
  esac
  pct=-
  [ "$gf" != - ] && pct=$(awk -v g="$gf" -v p="$peak" 'BEGIN {printf "%.0f%%", 100 * g / p}')
  printf "%-26s %10s %10s %8s %12s %8s\n" "$f" "$a" "$b" "$r" "$gf" "$pct"
done
[ $torch = 1 ] || echo "(python3-torch not installed: PyTorch columns empty)"
echo "ratio = neurona / pytorch (for latency lower is better)"
