#!/bin/sh
# Regenerates the small datasets in data/ from the copies scikit-learn ships
# (Debian package python3-sklearn). digits.csv.gz is copied byte for byte;
# iris.csv is rewritten because sklearn's first line
# ("150,4,setosa,versicolor,virginica") is a count line, not a header: the
# copy gets a real header and species names in place of the codes 0/1/2.
#   usage: scripts/bundle_data.sh [SKLEARN_DATA_DIR]
set -eu
src=${1:-/usr/lib/python3/dist-packages/sklearn/datasets/data}
out=$(cd "$(dirname "$0")/.." && pwd)/data
for f in digits.csv.gz iris.csv; do
    [ -r "$src/$f" ] || { echo "bundle_data.sh: $src/$f not found (apt-get install python3-sklearn)" >&2; exit 1; }
done
mkdir -p "$out"
cp "$src/digits.csv.gz" "$out/digits.csv.gz"
awk -F, '
NR == 1 { for (i = 3; i <= NF; i++) name[i - 3] = $i
          print "sepal_length,sepal_width,petal_length,petal_width,species"; next }
NF == 5 { print $1 "," $2 "," $3 "," $4 "," name[$5] }
' "$src/iris.csv" > "$out/iris.csv.tmp"
mv "$out/iris.csv.tmp" "$out/iris.csv"
echo "bundle_data.sh: wrote $out/digits.csv.gz and $out/iris.csv"
