#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check.sh BUNDLEDIR: on a GPU host, run from the repository's root. Says
# what the host has, installs BUNDLEDIR/stack.tar.xz, starts a kiln stack
# that finds its GPUs with nvidia-smi, and runs job.sh through it twice:
# with one GPU (it must see that GPU's device nodes and CUDA) and with none
# (it must see neither). The stack stays up for render.sh; the scheduler
# is stopped. With KILN_GPU_BENCH=N, then runs bench/bench.sh N times
# pinned to two CPUs (DESIGN.md's budgets are for a 2-core machine).
# Output is teed to $OUT/check.txt (OUT: default /tmp/kiln-gpu-check).
. "$(dirname "$0")/lib.sh" "${1:-}" check.txt

say host
head -2 /etc/os-release; ldd --version | head -1; uname -r; nproc
nvidia-smi --query-gpu=index,name,memory.total,uuid --format=csv,noheader
ls -l /dev/nvidia*
ldconfig -p | grep -E "libcuda\.so\.1|libnvidia-encode\.so\.1"
say install
bash "$here/install.sh" "$bundles/stack.tar.xz" || exit 1

stack_env
mkdir -p $d && chmod 711 $d
say stack
bash tests/stack.sh start $d $port || { tail -n 30 $d/log/*; exit 1; }
login
api -X POST -d '{"amount": 1000, "reason": "gpu check"}' $base/admin/wallet/1/grant >/dev/null
body() {
	python3 -c 'import json, sys; print(json.dumps({"name": sys.argv[1],
		"script": open(sys.argv[2]).read(),
		"resources": {"gpus": int(sys.argv[3]), "memory_limit": "32g", "timeout_seconds": 600}}))' "$@"
}
say submit
g1=$(body gpu1 "$here/job.sh" 1 | api -X POST -d @- $base/jobs | field id)
g0=$(body gpu0 "$here/job.sh" 0 | api -X POST -d @- $base/jobs | field id)
echo "jobs: $g1 (one GPU), $g0 (none)"
expect "the one-GPU job completed" wait_end "$g1"
expect "it saw its GPU's device node" grep -q '/dev/nvidia0' <<<"$log"
if grep -q 'cuda available' <<<"$log"; then
	expect "CUDA found its GPU" grep -q 'cuda available True devices 1' <<<"$log"
fi
expect "the job without a GPU completed" wait_end "$g0"
expect "it saw no GPU device node" bash -c '! grep -q /dev/nvidia0 <<<"$1"' _ "$log"
expect "CUDA found no GPU" bash -c '! grep -q "cuda available True" <<<"$1"' _ "$log"
api $base/nodes | python3 -m json.tool | sed -n '/"gpus"/,/\]/p'
bash tests/stack.sh sched-stop $d
tar -C $d -czf "$out/stack-logs.tgz" log

for k in $(seq "${KILN_GPU_BENCH:-0}"); do
	say "bench $k, pinned to CPUs 2 and 3"
	KILN_GPUS=2 timeout 220 taskset -c 2,3 bash bench/bench.sh >"$out/bench$k.txt" 2>&1
	echo "rc=$?"
	grep -E "^\|" "$out/bench$k.txt"
done
say "done: $([ $fail = 0 ] && echo all held || echo FAILED)"
exit $fail
