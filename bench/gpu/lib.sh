# SPDX-License-Identifier: MIT
# lib.sh: what check.sh and render.sh share, sourced with the bundle
# folder as $1 and the log's name as $2. Sets bundles, here, out ($OUT or
# /tmp/kiln-gpu-check), d and port (check.sh's stack); tees the output to
# $out/$2; gives say, stack_env, login (sets tok and base), api, field,
# wait_end and expect (the scripts exit with $fail).
set -uo pipefail
bundles=$(cd "${1:?usage: $0 BUNDLEDIR}" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${OUT:-/tmp/kiln-gpu-check}
d=/tmp/kiln-gpu-stack port=18080
mkdir -p "$out"
exec > >(tee "$out/$2") 2>&1

say() { echo; echo "== $* ($(date +%T))"; }
stack_env() {
	export KILN_SRCDIR=$PWD KILN_BUILDDIR=/opt/kiln/build KILN_KEEP_ADMIN=1 KILN_GPUS=-1
	export KILN_NODE_NAME=gpu-check KILN_TICK_MS=500
	export KILN_TRAINERS="echo=/bin/echo, pytorch=/opt/kiln-train/pytorch"
}
login() {
	tok=$(bash tests/stack.sh admin-token $d)
	base=http://127.0.0.1:$port/api/v1
}
api() { curl -sS -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "$@"; }
field() { python3 -c 'import json, sys; j = json.load(sys.stdin); print(j.get(sys.argv[1], j))' "$1"; }
# wait_end ID: polls the job until it ends (5 minutes at most), prints it
# and its logs (into $log too); 0 when it completed
wait_end() {
	local s=""
	[[ $1 =~ ^[0-9]+$ ]] || { echo "not a job id: $1"; return 1; }
	for _ in $(seq 600); do
		s=$(api "$base/jobs/$1" | field status)
		case $s in completed | failed | cancelled | killed* | lost | moderation_failed) break ;; esac
		sleep 0.5
	done
	say "job $1: $s"
	api "$base/jobs/$1" | python3 -m json.tool |
		grep -E '"(status|gpu_ids|exit_code|failure_reason|actual_cost|estimated_cost)"'
	log=$(api "$base/jobs/$1/logs")
	echo "$log"
	[ "$s" = completed ]
}
# expect WHAT COMMAND...: says whether COMMAND held; a miss sets fail=1
fail=0
expect() {
	local what=$1
	shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
