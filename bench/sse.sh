#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sse.sh: live-tail fan-out (./dev bench runs it last). A live tail holds
# a kiln-api worker for its life, so the question is how many a host can
# carry while GET /api/v1/jobs/{id} keeps its p99 budget (10 ms at 64
# connections). kiln-api runs KILN_WORKERS (default 8) workers with
# sse_max_streams as high; for 0, 1, 2, 4 and 6 open tails of a running
# job (each reconnecting as the server closes it), wrk loads GET
# /jobs/{id} for KILN_BENCH_SECONDS (default 5) and reports req/s and p99.
set -euo pipefail

secs=${KILN_BENCH_SECONDS:-5}
workers=${KILN_WORKERS:-8}
bench_name=sse-bench
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v wrk >/dev/null || die "wrk is not installed"

tails=()
bench_on_exit() {
	local p
	for p in "${tails[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
export KILN_KEEP_ADMIN=1 KILN_GPUS=0 KILN_TICK_MS=200 KILN_WORKERS=$workers
export KILN_SSE_MAX_STREAMS=$workers KILN_SSE_MAX_SECONDS=30
export KILN_RL_SHORT_LIMIT=1000000000 KILN_RL_LONG_LIMIT=1000000000
stack start "$dir" "$port" >/dev/null || die "the stack did not start (logs in $dir/log)"
base="http://127.0.0.1:$port/api/v1"
token=$(stack admin-token "$dir") || die "could not log in as the first admin"
auth="Authorization: Bearer $token"
curl -fsS -o /dev/null -X POST -H "$auth" -H 'Content-Type: application/json' \
	-d '{"amount": 1000, "reason": "bench"}' "$base/admin/wallet/1/grant"
# a job that prints a line a second for as long as the bench runs
id=$(curl -fsS -X POST -H "$auth" -H 'Content-Type: application/json' \
	-d '{"script":"while :; do date; sleep 1; done","resources":{"gpus":0,"timeout_seconds":3600}}' \
	"$base/jobs" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
[ -n "$id" ] || die "could not submit the job"
until curl -fsS -H "$auth" "$base/jobs/$id" | grep -q '"status":"running"'; do sleep 0.2; done

tail_forever() { # reconnects as the server ends each stream
	while :; do
		curl -s -N -o /dev/null -H "$auth" -H 'Accept: text/event-stream' "$base/jobs/$id/logs" 2>/dev/null || sleep 0.2
	done
}
results=()
open=0
for want in 0 1 2 4 6; do
	while (( open < want )); do
		tail_forever & tails+=($!)
		open=$((open + 1))
	done
	sleep 1
	out=$(wrk -t2 -c64 -d"${secs}s" --timeout 10s -H "$auth" -s "$src/bench/wrk-report.lua" \
		"$base/jobs/$id" 2>&1) || die "wrk failed"
	line=$(grep '^RESULT ' <<<"$out") || die "no RESULT line from wrk"
	rps=$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' <<<"$line")
	p99=$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<<"$line")
	errors=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<<"$line")
	verdict=within
	ftest "$p99 < 10" || verdict=over
	results+=("$want|$rps|$p99|$errors|$verdict")
	say "$want tails: $rps req/s, p99 $p99 ms"
done
echo
echo "kiln live-tail bench, $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$src" describe --always --dirty 2>/dev/null)"
echo "machine: $(nproc) cores; kiln-api $workers workers; GET /api/v1/jobs/{id}, 64 connections, ${secs}s per step"
printf '%-12s %10s %8s %7s  %s\n' "open tails" "req/s" "p99 ms" errors "p99 budget 10 ms"
for r in "${results[@]}"; do
	IFS='|' read -r a b c d e <<<"$r"
	printf '%-12s %10.0f %8s %7s  %s\n' "$a" "$b" "$c" "$d" "$e"
done
