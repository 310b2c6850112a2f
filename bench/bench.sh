#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench.sh: kiln's benchmarks (./dev bench). Starts a private stack
# (tests/stack.sh) in a fresh /tmp/kiln-bench.XXXXXX on a free port, loads it
# with wrk through nginx and prints the figures as ratios against nginx's own
# `return 200` (/_nginx/ok), measured in the same run on the same machine,
# since absolute rates say more about the machine than about kiln. Routes:
# health, auth/me, jobs/{id}, the jobs list for a user with
# KILN_BENCH_LIST_JOBS (default 100000) seeded jobs (and that page's
# database time), and POST /jobs. It ends with a markdown block for
# docs/benchmarks.md.
#
#   bench.sh [--keepalive]
#
# --keepalive  also measures GET /api/v1/health with nginx->FastCGI keepalive
#              (upstream keepalive pool + fastcgi_keep_conn on), at the
#              default connection count and at KILN_BENCH_KA_CONNS, before
#              and after, in the same stack. kiln ships with it off; this is
#              the measurement behind that choice (docs/benchmarks.md).
#
# Environment: KILN_SRCDIR, KILN_BUILDDIR (set by ./dev), KILN_WORKERS
# (kiln-api workers, default 4) and KILN_MAX_REQUESTS (requests before a
# worker is recycled, default 10000) for tests/stack.sh,
# KILN_BENCH_SECONDS (per run, default 10), KILN_BENCH_WARMUP (seconds
# before each run, default 2),
# KILN_BENCH_CONNECTIONS (default 64), KILN_BENCH_THREADS (wrk threads,
# default 2), KILN_BENCH_KA_CONNS (default 16), KILN_BENCH_KA_POOL (upstream
# keepalive size, default 8), KILN_BENCH_KEEP=1 keeps the stack's folder.
#
# Benchmarks report, they do not judge: a missed budget is printed as FAIL
# and the exit status stays 0. It is non-zero when the stack does not come
# up, wrk cannot run, or more than 1% of the requests of a default
# (keepalive off) run fail.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=${KILN_SRCDIR:-$here}
build=${KILN_BUILDDIR:-$here/build}
secs=${KILN_BENCH_SECONDS:-10}
warmup=${KILN_BENCH_WARMUP:-2}
conns=${KILN_BENCH_CONNECTIONS:-64}
threads=${KILN_BENCH_THREADS:-2}
ka_conns=${KILN_BENCH_KA_CONNS:-16}
ka_pool=${KILN_BENCH_KA_POOL:-8}
export KILN_SRCDIR=$src KILN_BUILDDIR=$build

# Budgets (DESIGN.md section 9). p99 is the GET /jobs/{id} budget, reported
# for every kiln route.
budget_ratio=0.20
budget_p99_ms=10
budget_rss_mib=16

keepalive=0
for arg in "$@"; do
	case $arg in
	--keepalive) keepalive=1 ;;
	-h | --help) awk 'NR > 2 && !/^#/ { exit } NR > 2 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
	*) echo "bench: unknown argument $arg (try --help)" >&2; exit 2 ;;
	esac
done

die() { echo "bench: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 50 ms.
wait_for() {
	local deadline=$(( $(now_ms) + $1 * 1000 )) what=$2; shift 2
	until "$@" >/dev/null 2>&1; do
		(( $(now_ms) < deadline )) || die "timed out waiting for $what"
		sleep 0.05
	done
}

# Floating-point helpers (bash has none).
fcalc() { awk "BEGIN { printf \"%s\", $1 }"; }
ftest() { awk "BEGIN { exit !($1) }"; }

command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk; ./dev bench installs it)"
command -v nginx >/dev/null || die "nginx is not installed"
command -v curl >/dev/null || die "curl is not installed"
[ -x "$build/fcgi/kiln-api" ] || die "$build/fcgi/kiln-api is missing: build first (./dev bench does)"
[ -f "$src/bench/wrk-report.lua" ] || die "$src/bench/wrk-report.lua is missing"

freeport=$build/tests/freeport
if [ ! -x "$freeport" ]; then
	make -s -C "$build" tests/freeport >&2 || die "cannot build $freeport"
fi

dir=""
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$dir" ] && [ -d "$dir" ]; then
		bash "$src/tests/stack.sh" stop "$dir" >/dev/null 2>&1 ||
			echo "bench: stopping the stack in $dir failed" >&2
		bash "$src/tests/stack.sh" runs-kill "$dir"
		case $dir in
		/tmp/kiln-bench.*)
			if [ "${KILN_BENCH_KEEP:-0}" = 1 ]; then
				echo "bench: kept $dir" >&2
			else
				rm -rf "$dir"
			fi
			;;
		esac
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Other work on the machine skews every figure (nginx's more than kiln's,
# or the other way round): sample how busy the CPUs are for a second before
# anything of ours starts (/proc/stat: user nice system idle iowait irq
# softirq steal).
cpu_sample() { awk '$1 == "cpu" { print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat; }
read -r busy0 total0 < <(cpu_sample)
sleep 1
read -r busy1 total1 < <(cpu_sample)
busy_before=$(fcalc "($total1 > $total0) ? 100 * ($busy1 - $busy0) / ($total1 - $total0) : 0")
busy_before=$(printf '%.0f' "$busy_before")
if (( busy_before > 10 )); then
	say "warning: the CPUs were ${busy_before}% busy before the run; figures will be noisy"
fi

dir=$(mktemp -d /tmp/kiln-bench.XXXXXX)
port=$("$freeport")
base="http://127.0.0.1:$port"

# Warnings and errors the stack logged (kiln-api's info lines are its access
# log), for failures and the post-run health check; `show_logs all` adds the
# plain tail of the set-up logs, whose errors follow no common shape.
show_logs() {
	local f
	for f in "$dir"/log/kiln-api.log "$dir"/log/nginx-error.log "$dir"/log/mariadb.log \
		"$dir"/log/migrate.log; do
		[ -s "$f" ] || continue
		case ${1:-}:$f in
		all:*/migrate.log | all:*/mariadb.log)
			echo "--- $f (last 10 lines)" >&2
			tail -n 10 "$f" >&2
			;;
		*)
			grep -E ' (warn|error)[]:]|\[(warn|error|crit|alert|emerg)\]|ERROR' "$f" >"$dir/problems" || continue
			echo "--- $f (warnings and errors, last 20)" >&2
			tail -n 20 "$dir/problems" >&2
			;;
		esac
	done
}

say "stack in $dir on port $port (KILN_WORKERS=${KILN_WORKERS:-4})"
# The per-user rate limit would turn an authenticated load into 429s: the
# bench stack lifts it. The admin's credentials are kept for the login.
if ! KILN_KEEP_ADMIN=1 KILN_RL_SHORT_LIMIT=1000000000 KILN_RL_LONG_LIMIT=1000000000 \
	bash "$src/tests/stack.sh" start "$dir" "$port" >"$dir/stack-start.log" 2>&1; then
	cat "$dir/stack-start.log" >&2
	show_logs all
	die "the stack did not start"
fi
health=$(curl -fsS --max-time 5 "$base/api/v1/health") || { show_logs all; die "GET /api/v1/health failed"; }
case $health in
*'"database":true'* | *'"database": true'*) ;;
*) show_logs; die "health does not see the database: $health" ;;
esac
curl -fsS --max-time 5 "$base/_nginx/ok" >/dev/null || die "GET /_nginx/ok failed"
workers=$(awk -F' *= *' '$1 == "workers" { print $2 }' "$dir/kiln.conf")
max_requests=$(awk -F' *= *' '$1 == "max_requests" { print $2 }' "$dir/kiln.conf")

# Results, keyed by a run label.
declare -A r_route r_method r_conns r_rps r_p50 r_p99 r_err r_req r_ka r_cpu

# CPU time, in clock ticks, of a process and the children it has reaped
# (/proc/PID/stat utime, stime, cutime, cstime), of a master and its
# live children (workers recycled in between are in the master's cutime),
# and of the three servers: "nginx kiln-api mariadbd".
tick_us=$(( 1000000 / $(getconf CLK_TCK) ))
proc_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
group_ticks() {
	local s c
	s=$(proc_ticks "$1")
	for c in $(children "$1"); do s=$(( s + $(proc_ticks "$c") )); done
	echo "$s"
}
server_ticks() {
	echo "$(group_ticks "$(cat "$dir/run/nginx.pid")") $(group_ticks "$(cat "$dir/run/kiln-api.pid")")" \
		"$(proc_ticks "$(cat "$dir/run/mariadb.pid")")"
}
# CPU milliseconds this shell's finished children (wrk) have used so far,
# into the variable named $1 (`times` in a command substitution would
# report the substitution's own children).
client_ms() {
	times >"$dir/times.txt"
	printf -v "$1" '%s' "$(awk 'NR == 2 { split($1 " " $2, t, /[ms ]+/)
		print (t[1] * 60 + t[2] + t[3] * 60 + t[4]) * 1000 }' "$dir/times.txt")"
}
labels=()

# measure LABEL PATH CONNECTIONS KEEPALIVE(on|off) [HEADER [POST_BODY]]:
# warm-up, then the run; with POST_BODY every request POSTs it as JSON.
measure() {
	local label=$1 path=$2 c=$3 ka=$4 hdr=${5:-X-Bench: 1} post=${6:-} out line kv t
	t=$threads
	(( t <= c )) || t=$c
	say "$label: $path, $c connections, ${warmup}s warm-up + ${secs}s"
	if (( warmup > 0 )); then
		KILN_BENCH_POST=$post wrk -t"$t" -c"$c" -d"${warmup}s" --timeout 10s -H "$hdr" \
			-s "$src/bench/wrk-report.lua" "$base$path" >/dev/null 2>&1 ||
			die "wrk warm-up against $path failed"
	fi
	local t0 t1 w0 w1
	t0=$(server_ticks)
	client_ms w0
	out=$(KILN_BENCH_POST=$post wrk -t"$t" -c"$c" -d"${secs}s" --timeout 10s -H "$hdr" \
		-s "$src/bench/wrk-report.lua" "$base$path" 2>&1) ||
		{ echo "$out" >&2; die "wrk against $path failed"; }
	t1=$(server_ticks)
	client_ms w1
	line=$(grep '^RESULT ' <<<"$out") || { echo "$out" >&2; die "no RESULT line from wrk"; }
	r_route[$label]=$path r_conns[$label]=$c r_ka[$label]=$ka r_method[$label]=GET
	[ -z "$post" ] || r_method[$label]=POST
	for kv in ${line#RESULT }; do
		case $kv in
		rps=*) r_rps[$label]=${kv#*=} ;;
		p50_ms=*) r_p50[$label]=${kv#*=} ;;
		p99_ms=*) r_p99[$label]=${kv#*=} ;;
		errors=*) r_err[$label]=${kv#*=} ;;
		requests=*) r_req[$label]=${kv#*=} ;;
		esac
	done
	# CPU microseconds per request: nginx, kiln-api, mariadbd, wrk
	read -r -a t0 <<<"$t0"
	read -r -a t1 <<<"$t1"
	r_cpu[$label]=$(awk -v n="${r_req[$label]:-0}" -v u="$tick_us" -v a="${t0[*]}" -v b="${t1[*]}" \
		-v w="$(fcalc "($w1 - $w0) * 1000")" 'BEGIN {
		split(a, x); split(b, y); if (n == 0) n = 1
		printf "%.0f|%.0f|%.0f|%.0f", (y[1] - x[1]) * u / n, (y[2] - x[2]) * u / n, (y[3] - x[3]) * u / n, w / n }')
	labels+=("$label")
}

# Pids of PID's children (Linux /proc; scans /proc when the kernel lacks
# the children file).
children() {
	local f=/proc/$1/task/$1/children p
	if [ -r "$f" ]; then
		cat "$f"
	else
		for p in /proc/[0-9]*; do
			[ "$(awk '{ print $4 }' "$p/stat" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
		done
	fi
}

rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

# Sets rss_max/rss_sum (MiB), rss_n and rss_master for kiln-api's workers.
measure_rss() {
	local master kib pid max=0 sum=0 n=0
	master=$(cat "$dir/run/kiln-api.pid") || die "no kiln-api pid file"
	for pid in $(children "$master"); do
		kib=$(rss_kib "$pid")
		[ -n "$kib" ] || continue
		(( kib > max )) && max=$kib
		sum=$(( sum + kib )) n=$(( n + 1 ))
	done
	(( n > 0 )) || die "kiln-api master $master has no workers"
	kib=$(rss_kib "$master")
	rss_max=$(fcalc "$max / 1024") rss_sum=$(fcalc "$sum / 1024") rss_n=$n
	rss_master=$(fcalc "${kib:-0} / 1024")
}

# nginx's worker pids (the master's children).
nginx_workers() { children "$(cat "$dir/run/nginx.pid")" | tr ' ' '\n' | sort; }
any_alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
marker_up() { curl -fsS --max-time 2 "$base/_bench/keepalive" | grep -qx on; }
ngx_old=()
old_workers_gone() { ! any_alive "${ngx_old[@]}"; }

# Turns nginx->FastCGI keepalive on in the generated server block: an
# upstream keepalive pool, and fastcgi_keep_conn on through a copy of
# kiln-fastcgi.conf (that file sets it off, and nginx refuses the directive
# twice in one location). A marker location tells when the reload is live.
keepalive_on() {
	local ngx=$dir/nginx
	sed -E 's/^(fastcgi_keep_conn[[:space:]]+)off;/\1on;/' "$src/nginx/kiln-fastcgi.conf" \
		>"$ngx/kiln-fastcgi-keepalive.conf"
	grep -Eq '^fastcgi_keep_conn[[:space:]]+on;' "$ngx/kiln-fastcgi-keepalive.conf" ||
		die "nginx/kiln-fastcgi.conf has no 'fastcgi_keep_conn off;' line to turn on"
	awk -v inc="$ngx/kiln-fastcgi-keepalive.conf" -v pool="$ka_pool" '
		/^upstream kiln_api[[:space:]]*\{/ { up = 1 }
		up && /^\}/ { print "\tkeepalive " pool ";"; up = 0; n_up++ }
		/include[[:space:]].*\/kiln-fastcgi\.conf;/ {
			sub(/include[[:space:]].*\/kiln-fastcgi\.conf;/, "include " inc ";"); n_inc++
		}
		/location = \/_nginx\/ok[[:space:]]*\{/ {
			print "\tlocation = /_bench/keepalive { return 200 \"on\\n\"; }"; n_mark++
		}
		{ print }
		END { exit !(n_up == 1 && n_inc >= 1 && n_mark == 1) }
	' "$ngx/kiln-server.conf" >"$ngx/kiln-server.conf.new" ||
		die "nginx/kiln.conf changed shape: cannot add keepalive to $ngx/kiln-server.conf"
	mv "$ngx/kiln-server.conf.new" "$ngx/kiln-server.conf"
	nginx -t -q -e "$dir/log/nginx-error.log" -p "$ngx" -c "$ngx/nginx.conf" ||
		die "nginx -t failed on the keepalive configuration"
	mapfile -t ngx_old < <(nginx_workers)
	nginx -e "$dir/log/nginx-error.log" -p "$ngx" -c "$ngx/nginx.conf" -s reload
	wait_for 20 "nginx to load the keepalive configuration" marker_up
	wait_for 20 "nginx's old workers to exit" old_workers_gone
}

# Machine.
cores=$(nproc)
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
[ -n "$cpu" ] || cpu=$(lscpu 2>/dev/null | awk -F': *' '/^Model name/ { print $2; exit }')
cpu=${cpu:-unknown CPU}
kernel=$(uname -sr)
mem=$(awk '$1 == "MemTotal:" { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
nginx_v=$(nginx -v 2>&1 | sed 's|^nginx version: nginx/||')
mariadb_v=$(mariadbd --version 2>/dev/null | sed -E 's/.*Ver ([^ ]+).*/\1/')
wrk_v=$({ wrk -v 2>&1 || true; } | awk 'NR == 1 { print $2 }')
rev=$(git -C "$src" describe --always --dirty 2>/dev/null || echo "no commit")
started=$(date -u +%Y-%m-%dT%H:%MZ)

# The runs. nginx first: it is the yardstick.
measure nginx /_nginx/ok "$conns" -
measure health /api/v1/health "$conns" off
# An authenticated route: JWT check, the user's row, JSON. Budget: within
# 15% of health in the same run.
admin_email=$(sed -n 1p "$dir/admin.txt") admin_pw=$(sed -n 2p "$dir/admin.txt")
login_body="{\"email\":\"$admin_email\",\"password\":\"$admin_pw\"}" # login latency, below
token=$(bash "$src/tests/stack.sh" admin-token "$dir") || die "could not log in as the first admin"
measure me /api/v1/auth/me "$conns" off "Authorization: Bearer $token"
# GET /api/v1/jobs/{id}: the DESIGN.md budget route (authenticated read of
# one job row, owner-scoped)
job_id=$(curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	-d '{"name":"bench","command":["true"]}' "$base/api/v1/jobs" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
[ -n "$job_id" ] || die "could not submit the bench job"
measure job "/api/v1/jobs/$job_id" "$conns" off "Authorization: Bearer $token"
# GET /api/v1/jobs?page_size=20 for a user with $list_jobs jobs (seeded in
# SQL from one submitted job: 90% completed, 5% failed, 3% pending, 1%
# running, 1% cancelled; half of them in one project), and the database
# time of a page: the two statements the handler runs (the page, and its
# total from job_counts), prepared as kiln prepares them, in a session set
# as kiln's are (lib/db.c), timed by the server itself (SHOW PROFILES),
# median of 9, without a filter, with status=running and with the project.
# Budget: < 5 ms each.
list_jobs=${KILN_BENCH_LIST_JOBS:-100000}
sql() { mariadb --no-defaults --socket="$dir/run/mysqld.sock" -uroot -N -B kiln "$@"; }
list_token=$(curl -fsS -X POST -H 'Content-Type: application/json' \
	-d "{\"email\":\"bench-list@example.com\",\"password\":\"$admin_pw\"}" \
	"$base/api/v1/auth/register" >/dev/null &&
	curl -fsS -X POST -H 'Content-Type: application/json' \
		-d "{\"email\":\"bench-list@example.com\",\"password\":\"$admin_pw\"}" \
		"$base/api/v1/auth/login" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$list_token" ] || die "could not register the list bench user"
list_pid=$(curl -fsS -X POST -H "Authorization: Bearer $list_token" -H 'Content-Type: application/json' \
	-d '{"name":"bench"}' "$base/api/v1/projects" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
[ -n "$list_pid" ] || die "could not make the list bench's project"
seed_id=$(curl -fsS -X POST -H "Authorization: Bearer $list_token" -H 'Content-Type: application/json' \
	-d '{"name":"seed","command":["true"]}' "$base/api/v1/jobs" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
[ -n "$seed_id" ] || die "could not submit the list bench's seed job"
say "seeding $list_jobs jobs for one user"
cols=$(sql -e "SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns
	WHERE table_schema = 'kiln' AND table_name = 'jobs' AND column_name <> 'id'")
sql -e "INSERT INTO jobs ($cols) SELECT $cols FROM jobs, seq_1_to_$((list_jobs - 1)) WHERE id = $seed_id;
	UPDATE jobs SET status = CASE WHEN id % 100 < 90 THEN 'completed' WHEN id % 100 < 95 THEN 'failed'
		WHEN id % 100 < 98 THEN 'pending' WHEN id % 100 = 98 THEN 'running' ELSE 'cancelled' END,
		project_id = IF(id % 2 = 0, $list_pid, NULL) WHERE id >= $seed_id;
	ANALYZE TABLE jobs PERSISTENT FOR ALL" >/dev/null || die "seeding jobs failed"
list_uid=$(sql -e "SELECT user_id FROM jobs WHERE id = $seed_id")
# list_db_ms WHERE_HEAD HEAD_ARGS STATUS: the page and the total of
# lib/db_stmts.c's job lists, JOB_FILTER after the head; one status or none
list_db_ms() {
	local filter="AND (? = 0 OR status IN (?, ?, ?, ?, ?, ?, ?, ?, ?)) AND (? = '' OR kind = ?)"
	local f="@n, @s, @s, @s, @s, @s, @s, @s, @s, @s, @k, @k"
	sql -e "SET SESSION optimizer_switch = 'index_merge_intersection=off';
	PREPARE page FROM \"SELECT * FROM jobs WHERE $1 $filter ORDER BY id DESC LIMIT ? OFFSET ?\";
	PREPARE total FROM \"SELECT CAST(COALESCE(SUM(n), 0) AS SIGNED) FROM job_counts WHERE $1 $filter\";
	SET @p = $list_pid, @u = $list_uid, @n = $([ -n "$3" ] && echo 1 || echo 0), @s = '$3', @k = '',
		@l = 20, @o = 0;
	SET profiling = 1; SET profiling_history_size = 100;
	$(for _ in $(seq 10); do
		echo "EXECUTE page USING $2, $f, @l, @o; EXECUTE total USING $2, $f;"
	done)
	SHOW PROFILES" | awk -F'\t' '$3 ~ /^EXECUTE/ && ++seen > 2 { d[++n] = $2 }
	END { for (i = 1; i + 1 <= n; i += 2) printf "%.3f\n", 1000 * (d[i] + d[i + 1]) }' |
		sort -n | awk '{ t[NR] = $1 } END { if (NR) print t[int((NR + 1) / 2)] }'
}
list_db_all=$(list_db_ms "user_id = ?" "@u" "")
list_db_running=$(list_db_ms "user_id = ?" "@u" running)
list_db_project=$(list_db_ms "project_id = ? AND (? = 0 OR user_id = ?)" "@p, @u, @u" "")
[ -n "$list_db_all" ] && [ -n "$list_db_running" ] && [ -n "$list_db_project" ] ||
	die "could not time the list statements"
measure list "/api/v1/jobs?page_size=20" "$conns" off "Authorization: Bearer $list_token"
# POST /api/v1/jobs: validation, the estimate, one insert and its event,
# the answer. Last, as it grows the jobs table.
measure submit /api/v1/jobs "$conns" off "Authorization: Bearer $token" \
	'{"name":"bench","command":["python","train.py","--epochs","3"],"resources":{"gpus":1}}'
# Login latency: argon2id at the configured cost is deliberately slow.
login_ms=()
for _ in $(seq 20); do
	login_ms+=("$(curl -fsS -o /dev/null -w '%{time_total}' -X POST -H 'Content-Type: application/json' \
		-d "$login_body" "$base/api/v1/auth/login" | awk '{ printf "%.1f", $1 * 1000 }')")
done
login_p50=$(printf '%s\n' "${login_ms[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
login_max=$(printf '%s\n' "${login_ms[@]}" | sort -n | tail -n 1)
password_mem=$(awk -F' *= *' '$1 == "password_mem" { print $2 }' "$dir/kiln.conf")
password_ops=$(awk -F' *= *' '$1 == "password_ops" { print $2 }' "$dir/kiln.conf")
measure_rss
if (( keepalive )); then
	measure "health@$ka_conns" /api/v1/health "$ka_conns" off
	say "turning nginx->FastCGI keepalive on (keepalive $ka_pool; fastcgi_keep_conn on) and reloading nginx"
	keepalive_on
	measure "health+ka" /api/v1/health "$conns" on
	measure "health+ka@$ka_conns" /api/v1/health "$ka_conns" on
fi

# What the server logged under load.
api_log=$dir/log/kiln-api.log
worker_pids=$(grep -oE 'kiln-api/worker\[[0-9]+\]' "$api_log" | sort -u | wc -l)
api_problems=$(grep -cE ' (warn|error): ' "$api_log" || true)
api_5xx=$(grep -cE ' info: [A-Z]+ [^ ]+ 5[0-9][0-9] ' "$api_log" || true)
ngx_problems=$(grep -cE '\[(error|crit|alert|emerg)\]' "$dir/log/nginx-error.log" 2>/dev/null || true)

# Table rows, shared by the terminal table and the markdown block.
nginx_rps=${r_rps[nginx]}
rows=() cpu_rows=()
failed_errors=0
for l in "${labels[@]}"; do
	rps=${r_rps[$l]} p99=${r_p99[$l]} err=${r_err[$l]} req=${r_req[$l]}
	ratio=$(fcalc "$rps / $nginx_rps")
	errpct=$(fcalc "($req > 0) ? 100 * $err / $req : 100")
	errpct=$(printf "%.2f" "$errpct")
	if [ "$l" = nginx ]; then
		budget="baseline" verdict="-"
	elif [ "$l" = list ] || [ "$l" = submit ]; then
		budget="reported" verdict="-"
	else
		budget="≥ $budget_ratio× nginx, p99 < $budget_p99_ms ms"
		verdict=pass
		ftest "$ratio >= $budget_ratio" || verdict="FAIL (rate)"
		if ! ftest "$p99 < $budget_p99_ms"; then
			[ "$verdict" = pass ] && verdict="FAIL (p99)" || verdict="FAIL (rate, p99)"
		fi
	fi
	if ftest "$errpct > 1"; then
		verdict="$verdict; errors ${errpct}%"
		[ "${r_ka[$l]}" = on ] || failed_errors=1
	fi
	ka=${r_ka[$l]}
	[ "$ka" = - ] && ka=""
	[ -n "$ka" ] && ka=" (keepalive $ka)"
	rows+=("${r_method[$l]:-GET} ${r_route[$l]}$ka|${r_conns[$l]}|$(printf '%.0f' "$rps")|${r_p50[$l]}|$p99|$(printf '%.3f' "$ratio")|$err|$budget|$verdict")
	cpu_rows+=("${r_method[$l]:-GET} ${r_route[$l]}$ka|${r_cpu[$l]}")
done
rss_verdict=pass
ftest "$rss_max < $budget_rss_mib" || rss_verdict=FAIL
me_ratio=$(fcalc "${r_rps[me]} / ${r_rps[health]}")
me_verdict=pass
ftest "$me_ratio >= 0.85" || me_verdict=FAIL
list_verdict=pass
for t in "$list_db_all" "$list_db_running" "$list_db_project"; do
	ftest "$t < 5" || list_verdict=FAIL
done
list_line=$(printf 'GET /api/v1/jobs?page_size=20 for a user with %d jobs: %s ms of database time (page + total, median of 9), %s ms with status=running, %s ms with project_id (half of them) (budget < 5 ms each: %s)' \
	"$list_jobs" "$list_db_all" "$list_db_running" "$list_db_project" "$list_verdict")
me_line=$(printf 'GET /api/v1/auth/me at %.3f x health in the same run (budget >= 0.85: %s); login (argon2id ops %s, mem %s) p50 %s ms, max %s ms over 20 sequential logins' \
	"$me_ratio" "$me_verdict" "$password_ops" "$password_mem" "$login_p50" "$login_max")

# Terminal report.
{
	echo
	echo "kiln bench, $started, $rev"
	echo "machine: $cores cores, $cpu, $mem, $kernel; CPUs ${busy_before}% busy before the run"
	echo "stack: nginx $nginx_v (2 workers), kiln-api $workers workers (max_requests $max_requests), MariaDB $mariadb_v, wrk $wrk_v -t$threads, ${secs}s per run after ${warmup}s warm-up, all on loopback"
	echo
	printf '%-40s %6s %9s %8s %8s %8s %7s  %-30s %s\n' route conns "req/s" "p50 ms" "p99 ms" "x nginx" errors budget result
	for row in "${rows[@]}"; do
		IFS='|' read -r a b c d e f g h i <<<"$row"
		printf '%-40s %6s %9s %8s %8s %8s %7s  %-30s %s\n' "$a" "$b" "$c" "$d" "$e" "$f" "$g" "$h" "$i"
	done
	echo
	echo "CPU per request (microseconds; the servers' own accounting, wrk's from the shell):"
	printf '%-46s %8s %9s %9s %8s %8s\n' route nginx kiln-api mariadbd wrk total
	for row in "${cpu_rows[@]}"; do
		IFS='|' read -r a b c d e <<<"$row"
		printf '%-46s %8s %9s %9s %8s %8s\n' "$a" "$b" "$c" "$d" "$e" "$(( b + c + d + e ))"
	done
	echo
	printf 'kiln-api worker RSS after load: max %.1f MiB (budget < %d MiB: %s), sum %.1f MiB over %d workers, master %.1f MiB\n' \
		"$rss_max" "$budget_rss_mib" "$rss_verdict" "$rss_sum" "$rss_n" "$rss_master"
	echo "$me_line"
	echo "$list_line"
	recycle="recycled every $max_requests requests"
	[ "$max_requests" = 0 ] && recycle="never recycled"
	echo "kiln-api log: $worker_pids worker processes served ($recycle), $api_5xx 5xx responses, $api_problems warnings/errors; nginx error log: $ngx_problems errors"
}

# Markdown for docs/benchmarks.md.
{
	echo
	echo "----- 8< ----- docs/benchmarks.md -----"
	echo "Measured $started on $rev."
	echo
	echo "Machine: $cores cores, $cpu, $mem, $kernel (CPUs ${busy_before}% busy before the run)."
	echo "Stack: nginx $nginx_v (2 workers), kiln-api $workers workers"
	echo "(max_requests $max_requests), MariaDB $mariadb_v; wrk $wrk_v, $threads threads,"
	echo "${secs} s per run after a ${warmup} s warm-up; wrk, nginx, kiln-api and MariaDB share the machine."
	echo
	echo "| route | connections | req/s | p50 ms | p99 ms | × nginx | errors | budget | result |"
	echo "|---|--:|--:|--:|--:|--:|--:|---|---|"
	for row in "${rows[@]}"; do
		IFS='|' read -r a b c d e f g h i <<<"$row"
		echo "| \`$a\` | $b | $c | $d | $e | $f | $g | $h | $i |"
	done
	echo
	echo "CPU per request, in microseconds (each server's utime and stime over the run, and wrk's):"
	echo
	echo "| route | nginx | kiln-api | mariadbd | wrk | total |"
	echo "|---|--:|--:|--:|--:|--:|"
	for row in "${cpu_rows[@]}"; do
		IFS='|' read -r a b c d e <<<"$row"
		echo "| \`$a\` | $b | $c | $d | $e | $(( b + c + d + e )) |"
	done
	echo
	printf 'kiln-api worker RSS after the load: max %.1f MiB (budget < %d MiB: %s),\nsum %.1f MiB over %d workers; master %.1f MiB.\n' \
		"$rss_max" "$budget_rss_mib" "$rss_verdict" "$rss_sum" "$rss_n" "$rss_master"
	echo
	echo "$me_line."
	echo
	echo "$list_line."
	echo "----- >8 -----"
}

if (( api_problems > 0 || ngx_problems > 0 )); then
	say "the stack logged warnings or errors under load:"
	show_logs
fi
if (( failed_errors )); then
	show_logs
	die "more than 1% of the requests failed"
fi
exit 0
