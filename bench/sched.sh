#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sched.sh: the scheduler's benchmarks (./dev bench runs it after
# bench.sh), on a private stack (tests/stack.sh) in a fresh folder:
#
# 1. the tick: 10 000 pending jobs from 1 000 users (seeded in SQL), then
#    ticks that each claim up to 100 of them (bench/tick_bench: heartbeat,
#    reap, claim; nothing started). Budget: under 50 ms.
# 2. end to end: KILN_BENCH_JOBS (default 1000) trivial jobs (`true`)
#    submitted through the API and run by the real scheduler (a tick a
#    second, as the systemd timer fires it) and kiln-run in bubblewrap:
#    jobs/s against the fork/exec ceiling of `sh -c true` run as many at a
#    time in the same run, and submit-to-running latency p50/p99 for that
#    burst and for 30 jobs submitted one every 300 ms. Budget: p50 under
#    2 s at that pace.
#
# Benchmarks report, they do not judge: a missed budget prints FAIL and the
# exit status stays 0; it is non-zero when the stack does not come up.
set -euo pipefail

njobs=${KILN_BENCH_JOBS:-1000}
bench_name=sched-bench
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# no scheduler until the end-to-end run; a large simulated node; no rate limit
export KILN_SCHEDULER=0 KILN_KEEP_ADMIN=1 KILN_GPUS=8 KILN_CPUS=256 KILN_TICK_MS=1000
export KILN_RL_SHORT_LIMIT=1000000000 KILN_RL_LONG_LIMIT=1000000000
stack start "$dir" "$port" >/dev/null || die "the stack did not start (logs in $dir/log)"
base="http://127.0.0.1:$port/api/v1"
sql() { mariadb --no-defaults --socket="$dir/run/mysqld.sock" -uroot -N -B kiln "$@"; }

token=$(stack admin-token "$dir") || die "could not log in as the first admin"
auth="Authorization: Bearer $token"
post() { curl -fsS -X POST -H "$auth" -H 'Content-Type: application/json' -d "$2" "$base$1"; }

# 1. The tick.
say "seeding 10000 pending jobs from 1000 users"
seed=$(post /jobs '{"name":"seed","command":["true"],"resources":{"gpus":0,"memory_limit":"64m"}}' |
	sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
[ -n "$seed" ] || die "could not submit the seed job"
sql -e "INSERT INTO users (email, password_hash, role, balance_micros)
	SELECT CONCAT('bench-', seq, '@bench.invalid'), password_hash, 'user', 1000000000
	FROM users, seq_1_to_1000 WHERE id = 1" || die "seeding users failed"
cols="kind, name, status, wait_reason, priority, command_json, script, working_dir, env_json,
	gpus, cpu_count, memory_bytes, timeout_seconds, estimated_cost_micros, max_attempts"
sql -e "INSERT INTO jobs (user_id, $cols) SELECT u.id, $cols FROM jobs j, users u, seq_1_to_10
	WHERE j.id = $seed AND u.email LIKE 'bench-%';
	UPDATE jobs SET status = 'cancelled' WHERE id = $seed;
	ANALYZE TABLE jobs PERSISTENT FOR ALL" >/dev/null || die "seeding jobs failed"
tick_out=$("$build/bench/tick_bench" -c "$dir/kiln.conf" --ticks 10 --max-start 100) ||
	die "tick_bench failed"
echo "$tick_out" >&2
tick_med=$(echo "$tick_out" | awk '$1 == "ticks" { print $4 }')
tick_max=$(echo "$tick_out" | awk '$1 == "ticks" { print $6 }')
tick_claimed=$(echo "$tick_out" | awk '$1 == "ticks" { print $8 }')
tick_verdict=pass
ftest "$tick_med < 50" || tick_verdict=FAIL
sql -e "UPDATE jobs SET status = 'cancelled', finished_at = NOW(6)
	WHERE status IN ('pending', 'preparing')" >/dev/null

# 2. End to end, then the ceiling the same way: as many at a time.
post /admin/limits/global '{"max_concurrent_jobs": 100000, "daily_cost_cap": 1000000}' >/dev/null
post /admin/wallet/1/grant '{"amount": 10000, "reason": "bench"}' >/dev/null
stack sched-start "$dir"
say "submitting $njobs trivial jobs"
t0=$(now_ms)
seq "$njobs" | xargs -P 8 -I{} curl -fsS -o /dev/null -X POST -H "$auth" \
	-H 'Content-Type: application/json' \
	-d '{"command":["true"],"resources":{"gpus":0,"memory_limit":"64m","timeout_seconds":60}}' \
	"$base/jobs" || die "submitting failed"
left() { sql -e "SELECT COUNT(*) FROM jobs WHERE user_id = 1 AND status NOT IN
	('completed', 'failed', 'cancelled', 'killed_no_credits')"; }
deadline=$(( $(now_ms) + 600000 ))
while [ "$(left)" != 0 ]; do
	(( $(now_ms) < deadline )) || die "jobs still running after 10 minutes"
	sleep 0.2
done
e2e_ms=$(( $(now_ms) - t0 ))
done_ok=$(sql -e "SELECT COUNT(*) FROM jobs WHERE user_id = 1 AND status = 'completed' AND id > $seed")
e2e_rate=$(fcalc "$njobs / ($e2e_ms / 1000)")
lat() { # percentile $1 of submit-to-running in ms, for jobs with id > $2
	local n
	n=$(sql -e "SELECT COUNT(*) FROM jobs WHERE user_id = 1 AND id > $2 AND started_at IS NOT NULL")
	sql -e "SELECT ROUND(TIMESTAMPDIFF(MICROSECOND, created_at, started_at) / 1000)
		FROM jobs WHERE user_id = 1 AND id > $2 AND started_at IS NOT NULL
		ORDER BY 1 LIMIT 1 OFFSET $(( (n * $1 + 99) / 100 - 1 ))"
}
burst_p50=$(lat 50 "$seed") burst_p99=$(lat 99 "$seed")
# 3. Latency at a steady pace (one job every 300 ms): what a user waits
# for when the queue is not a burst of a thousand.
last=$(sql -e "SELECT MAX(id) FROM jobs")
say "submitting 30 jobs one every 300 ms"
for i in $(seq 30); do
	curl -fsS -o /dev/null -X POST -H "$auth" -H 'Content-Type: application/json' \
		-d '{"command":["true"],"resources":{"gpus":0,"memory_limit":"64m","timeout_seconds":60}}' \
		"$base/jobs" || die "submitting failed"
	sleep 0.3
done
deadline=$(( $(now_ms) + 120000 ))
while [ "$(left)" != 0 ]; do
	(( $(now_ms) < deadline )) || die "jobs still running after 2 minutes"
	sleep 0.2
done
p50=$(lat 50 "$last") p99=$(lat 99 "$last")
lat_verdict=pass
ftest "$p50 < 2000" || lat_verdict=FAIL
cores=$(nproc)
max_start=$(awk -F' *= *' '$1 == "max_start" { v = $2 } END { print v ? v : "64 (default)" }' "$dir/kiln.conf")
t0=$(now_ms)
seq "$njobs" | xargs -P 64 -n 1 sh -c true
ceil_ms=$(( $(now_ms) - t0 ))
ceil_rate=$(fcalc "$njobs / ($ceil_ms / 1000)")
ratio=$(fcalc "$e2e_rate / $ceil_rate")

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
rev=$(git -C "$src" describe --always --dirty 2>/dev/null || echo "no commit")
{
	echo
	echo "kiln scheduler bench, $(date -u +%Y-%m-%dT%H:%MZ), $rev"
	echo "machine: $cores cores, ${cpu:-unknown CPU}"
	printf 'tick: 10000 pending jobs from 1000 users, 100 claimed per tick: median %s ms, max %s ms over 10 ticks (%s claimed; budget < 50 ms: %s)\n' \
		"$tick_med" "$tick_max" "$tick_claimed" "$tick_verdict"
	printf 'end to end: %d trivial jobs in %.1f s, %s completed: %.1f jobs/s = %.3f x the fork/exec ceiling (sh -c true, 64 at a time: %.1f/s)\n' \
		"$njobs" "$(fcalc "$e2e_ms / 1000")" "$done_ok" "$e2e_rate" "$ratio" "$ceil_rate"
	printf 'submit to running, a job every 300 ms: p50 %s ms, p99 %s ms (budget p50 < 2000 ms: %s; a tick a second)\n' \
		"$p50" "$p99" "$lat_verdict"
	printf 'submit to running, the burst of %d: p50 %s ms, p99 %s ms (max_start %s jobs a tick)\n' \
		"$njobs" "$burst_p50" "$burst_p99" "$max_start"
}
