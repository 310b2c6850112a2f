# SPDX-License-Identifier: MIT
# bench/lib.sh: what the stack benchmarks share, sourced after setting
# bench_name (the prefix of messages and of the temporary folder). It sets
# src, build, dir (a fresh /tmp folder, 0711 so job users reach the
# storage under it) and port (free); gives die, say, now_ms, fcalc, ftest
# and stack (tests/stack.sh on dir); and stops the stack and removes dir
# on exit (KILN_BENCH_KEEP=1 keeps it), after bench_on_exit when the
# script defines one.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=${KILN_SRCDIR:-$here}
build=${KILN_BUILDDIR:-$here/build}
export KILN_SRCDIR=$src KILN_BUILDDIR=$build

die() { echo "$bench_name: $*" >&2; exit 1; }
say() { echo "$bench_name: $*" >&2; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
fcalc() { awk "BEGIN { printf \"%s\", $1 }"; }
ftest() { awk "BEGIN { exit !($1) }"; }
stack() { bash "$src/tests/stack.sh" "$@"; }

dir=$(mktemp -d "/tmp/kiln-$bench_name.XXXXXX")
chmod 711 "$dir"
port=$("$build/tests/freeport")

bench_cleanup() {
	if declare -F bench_on_exit >/dev/null; then bench_on_exit; fi
	stack stop "$dir" >/dev/null 2>&1 || true
	stack runs-kill "$dir"
	[ "${KILN_BENCH_KEEP:-0}" = 1 ] || rm -rf "$dir"
}
trap bench_cleanup EXIT
