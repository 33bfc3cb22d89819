#!/usr/bin/env bash
# Smoke-test the one-folder bundle: --version, a headless analysis, and a screenshot under Xvfb.
#
#   packaging/smoke_test.sh                 # tests dist/starnet/starnet
#   packaging/smoke_test.sh /path/to/starnet/starnet
#
# Runs from an empty temporary folder with STARNET_RESOURCES unset, so the bundle must find its
# own resources (sys._MEIPASS) and must not lean on the source checkout.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXE="$(realpath "${1:-$ROOT/dist/starnet/starnet}")"
PRESET="${PRESET:-default}"
if [ ! -x "$EXE" ]; then
    echo "smoke_test.sh: no bundle at $EXE (run make package first)" >&2
    exit 2
fi
WORKDIR="$(mktemp -d)"
trap 'rm -rf "$WORKDIR"' EXIT
cd "$WORKDIR"
unset STARNET_RESOURCES
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '%-44s' "$1"; }
elapsed() { echo "ok ($(( $(date +%s%N) / 1000000 - t0 )) ms)"; }

step "starnet --version"
t0=$(( $(date +%s%N) / 1000000 ))
version="$("$EXE" --version)" || fail "--version exited $?"
[[ "$version" == starnet\ * ]] || fail "--version printed '$version'"
echo "$version — $(elapsed)"

step "starnet presets"
t0=$(( $(date +%s%N) / 1000000 ))
"$EXE" presets > presets.txt || fail "presets exited $?"
grep -q "$PRESET" presets.txt || fail "preset $PRESET not listed"
elapsed

step "starnet analyze $PRESET --json"
t0=$(( $(date +%s%N) / 1000000 ))
"$EXE" analyze "$PRESET" --json results.json --quiet > analyze.txt 2>&1 || { cat analyze.txt >&2; fail "analyze exited $?"; }
grep -q '"schema": "starnet.results/1"' results.json || fail "results.json lacks the schema line"
grep -q '"insight"' results.json || fail "results.json lacks the insight section"
elapsed

step "compiled kernels reused from another dir"
t0=$(( $(date +%s%N) / 1000000 ))
mkdir elsewhere
(cd elsewhere && NUMBA_DEBUG_CACHE=1 "$EXE" analyze "$PRESET" --quiet > ../cache.txt 2>&1) || { cat cache.txt >&2; fail "analyze exited $?"; }
grep -q "data loaded" cache.txt || fail "numba loaded nothing from its cache"
if grep -q "data saved" cache.txt; then grep "data saved" cache.txt | head -3 >&2; fail "numba recompiled kernels in a new working directory"; fi
elapsed

step "bad input exits 2"
t0=$(( $(date +%s%N) / 1000000 ))
printf 'schema_version: 1\nname: x\n' > bad.yaml
set +e; "$EXE" analyze bad.yaml > bad.txt 2>&1; rc=$?; set -e
[ "$rc" = 2 ] || { cat bad.txt >&2; fail "bad mission exited $rc, not 2"; }
grep -q Traceback bad.txt && fail "bad mission printed a traceback"
elapsed

step "starnet screenshot $PRESET (Xvfb)"
t0=$(( $(date +%s%N) / 1000000 ))
run_x() { if [ -n "${DISPLAY:-}" ]; then "$@"; else xvfb-run -a -s '-screen 0 1600x1000x24' "$@"; fi; }
run_x "$EXE" screenshot "$PRESET" -o shot.png --size 1280x800 > shot.txt 2>&1 || { cat shot.txt >&2; fail "screenshot exited $?"; }
[ -s shot.png ] || fail "no picture written"
[ "$(head -c 8 shot.png | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "shot.png is not a PNG"
size=$(stat -c %s shot.png)
[ "$size" -gt 50000 ] || fail "shot.png is only $size bytes (a blank window?)"
echo "ok ($(( $(date +%s%N) / 1000000 - t0 )) ms, $size bytes)"
if [ -n "${SMOKE_KEEP:-}" ]; then cp shot.png "$SMOKE_KEEP"; fi

echo "bundle smoke test passed: $EXE"
