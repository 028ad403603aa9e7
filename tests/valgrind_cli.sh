#!/bin/sh
# Runs the CLI under valgrind on good and bad inputs; fails on any leak or
# memory error. Usage: tests/valgrind_cli.sh PATH/TO/neurona
set -u
cli=$1
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0; pass=0
vg() {
  valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 "$cli" "$@" >"$tmp/out" 2>&1
  rc=$?
  if [ $rc -eq 99 ]; then echo "FAIL valgrind: neurona $*"; cat "$tmp/out"; fail=$((fail+1)); else pass=$((pass+1)); fi
}
vg --help
[ -f "$here/tests/valgrind_cases.sh" ] && . "$here/tests/valgrind_cases.sh"
echo "valgrind: $pass passed, $fail failed"
[ $fail -eq 0 ]
