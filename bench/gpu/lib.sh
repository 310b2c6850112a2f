# SPDX-License-Identifier: MIT
# lib.sh: what check.sh and render.sh share, sourced with the bundle
# folder as $1 and the log's name as $2. Sets bundles, here, out ($OUT or
# /tmp/kiln-gpu-check), d and port (check.sh's stack); tees the output to
# $out/$2; gives say, stack_env, login (sets tok and base), api and field.
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
}
login() {
	tok=$(bash tests/stack.sh admin-token $d)
	base=http://127.0.0.1:$port/api/v1
}
api() { curl -sS -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "$@"; }
field() { python3 -c 'import json, sys; j = json.load(sys.stdin); print(j.get(sys.argv[1], j))' "$1"; }
# wait_end ID: polls the job until it ends (5 minutes at most), prints it
wait_end() {
	local s
	for _ in $(seq 600); do
		s=$(api "$base/jobs/$1" | field status)
		case $s in completed | failed | cancelled | killed* | lost | moderation_failed) break ;; esac
		sleep 0.5
	done
	say "job $1: $s"
	api "$base/jobs/$1" | python3 -m json.tool |
		grep -E '"(status|gpu_ids|exit_code|failure_reason|actual_cost|estimated_cost)"'
	api "$base/jobs/$1/logs"
}
