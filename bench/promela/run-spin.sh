#!/usr/bin/env bash
# Usage: run-spin.sh RM
# Builds a Spin verifier for two_phase.pml with RM resource managers in a
# temporary directory, runs an exhaustive DFS (no bitstate, no POR), and
# prints one JSON line: {"rm":N,"storedStates":N,"seconds":S,"memoryMB":M}
# (seconds / memoryMB are pan's own "elapsed time" / "total actual memory
# usage"). Exits non-zero if spin/gcc is missing or the search is incomplete.
set -euo pipefail

RM="${1:?usage: run-spin.sh RM}"
[[ "$RM" =~ ^[0-9]+$ ]] && (( RM >= 1 && RM <= 10 )) || { echo "RM must be 1..10" >&2; exit 2; }
command -v spin >/dev/null 2>&1 || { echo "spin not found (apt-get install -y spin)" >&2; exit 3; }
command -v gcc  >/dev/null 2>&1 || { echo "gcc not found" >&2; exit 3; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cp "$HERE/two_phase.pml" "$TMP/"
cd "$TMP"

# Hash table size 2^W slots (~1-2x the expected state count).
case "$RM" in
  1|2|3|4|5|6) W=18 ;;
  7) W=20 ;;
  8) W=22 ;;
  9) W=25 ;;
  *) W=27 ;;
esac

spin -DRM="$RM" -a two_phase.pml >spin.log 2>&1 || { cat spin.log >&2; exit 4; }
gcc -O2 -DNOREDUCE -DMEMLIM=16000 -DSAFETY -o pan pan.c 2>gcc.log || { cat gcc.log >&2; exit 4; }
set +e
./pan -m10000 -w"$W" >pan.out 2>&1
PANRC=$?
set -e

fail() { echo "incomplete/failed run: $1" >&2; cat pan.out >&2; exit 5; }
(( PANRC == 0 ))                                 || fail "pan exit code $PANRC"
grep -q 'Full statespace search' pan.out         || fail "not a full state-space search"
grep -q 'errors: 0' pan.out                      || fail "errors reported"
grep -qi 'max search depth too small' pan.out    && fail "depth limit hit"
grep -qi 'search not completed' pan.out          && fail "search not completed"
grep -qi 'out of memory' pan.out                 && fail "out of memory"

STORED=$(awk '/states, stored/ {print $1; exit}' pan.out)
SECS=$(sed -n 's/^pan: elapsed time \([0-9.e+-]*\) seconds.*/\1/p' pan.out | head -1)
MEM=$(awk '/total actual memory usage/ {print $1; exit}' pan.out)
[[ -n "$STORED" && -n "$SECS" && -n "$MEM" ]] || fail "could not parse pan output"

printf '{"rm":%d,"storedStates":%d,"seconds":%s,"memoryMB":%s}\n' "$RM" "$STORED" "$SECS" "$MEM"
