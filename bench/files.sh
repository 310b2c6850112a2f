#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# files.sh: signed downloads (./dev bench runs it after sched.sh). A job
# writes a KILN_BENCH_FILE_MIB (default 1024) MiB output; it is fetched
# through its signed link (kiln-api checks the link, nginx sends the file
# from its internal location) and through a plain static nginx location
# over the same file, 3 times each, in the same run. Budget: the signed
# download at least 0.8 x the static one.
set -euo pipefail

mib=${KILN_BENCH_FILE_MIB:-1024}
bench_name=files-bench
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export KILN_KEEP_ADMIN=1 KILN_GPUS=0 KILN_TICK_MS=200 KILN_MAX_LOG_BYTES=1m
stack start "$dir" "$port" >/dev/null || die "the stack did not start (logs in $dir/log)"
base="http://127.0.0.1:$port"

# a static location over the storage root, the yardstick
ngx="$dir/nginx"
awk -v root="$dir/storage" '
	/location \/api\/ \{/ && !done { print "\tlocation /_bench_static/ {\n\t\talias " root "/;\n\t}\n"; done = 1 }
	{ print }' "$ngx/kiln-server.conf" >"$ngx/kiln-server.conf.new"
mv "$ngx/kiln-server.conf.new" "$ngx/kiln-server.conf"
nginx -t -q -e "$dir/log/nginx-error.log" -p "$ngx" -c "$ngx/nginx.conf" || die "nginx -t failed"
nginx -e "$dir/log/nginx-error.log" -p "$ngx" -c "$ngx/nginx.conf" -s reload

token=$(stack admin-token "$dir") || die "could not log in as the first admin"
auth="Authorization: Bearer $token"
curl -fsS -o /dev/null -X POST -H "$auth" -H 'Content-Type: application/json' \
	-d '{"amount": 1000, "reason": "bench"}' "$base/api/v1/admin/wallet/1/grant"
say "a job writes a $mib MiB output"
id=$(curl -fsS -X POST -H "$auth" -H 'Content-Type: application/json' \
	-d "{\"script\":\"head -c ${mib}M /dev/urandom > \$KILN_OUTPUT_DIR/big.bin\",\"resources\":{\"gpus\":0,\"timeout_seconds\":600}}" \
	"$base/api/v1/jobs" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
[ -n "$id" ] || die "could not submit the job"
deadline=$(( $(now_ms) + 300000 ))
until curl -fsS -H "$auth" "$base/api/v1/jobs/$id" | grep -q '"status":"completed"'; do
	(( $(now_ms) < deadline )) || die "the job did not complete"
	sleep 0.5
done
url=$(curl -fsS -H "$auth" "$base/api/v1/jobs/$id/outputs" | sed -n 's/.*"url":"\([^"]*\)".*/\1/p')
[ -n "$url" ] || die "no signed link"
fetch() { # URL: best of 3, MiB/s
	local best=0 i t0 ms rate
	for i in 1 2 3; do
		t0=$(now_ms)
		curl -fsS -o /dev/null "$1" || die "download failed: $1"
		ms=$(( $(now_ms) - t0 )); (( ms > 0 )) || ms=1
		rate=$(fcalc "$mib / ($ms / 1000)")
		ftest "$rate > $best" && best=$rate
	done
	echo "$best"
}
signed=$(fetch "$base$url")
static=$(fetch "$base/_bench_static/jobs/$id/outputs/big.bin")
ratio=$(fcalc "$signed / $static")
verdict=pass
ftest "$ratio >= 0.8" || verdict=FAIL
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "kiln files bench, $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$src" describe --always --dirty 2>/dev/null)"
echo "machine: $(nproc) cores, ${cpu:-unknown CPU}"
printf 'a %d MiB output through its signed link: %.0f MiB/s = %.3f x nginx static (%.0f MiB/s), best of 3 (budget >= 0.8: %s)\n' \
	"$mib" "$signed" "$ratio" "$static" "$verdict"
