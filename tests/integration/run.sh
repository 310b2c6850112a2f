#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh: starts a private stack on a free port in a fresh directory, runs
# the integration suite against it through nginx, and tears it down on any
# exit. On failure the stack's logs are kept in tests/integration-logs/.
set -uo pipefail
src=${top_srcdir:?}; build=${top_builddir:?}
# the suites inject faults through lib/testhook.h: say so before starting
# anything when the build cannot
if ! grep -q '^#define KILN_TEST_HOOKS 1' "$build/kiln_config.h"; then
	echo "run.sh: $build has no test hooks: configure it with --enable-test-hooks (./dev does)" >&2
	exit 1
fi
dir=$(mktemp -d /tmp/kiln-it.XXXXXX)
# jobs run as nobody: the path to their directory must be traversable
# (mktemp makes it 0700); nothing in it is listable by others
chmod 711 "$dir"
# The storage root lies under /opt, which jobs see read-only (host image):
# the sandbox must cover it, or a job could read every other job's folder
# (the sandbox suite checks). Where /opt is not writable (not root) it
# stays in the stack's directory, under /tmp, which jobs see as a tmpfs.
store=""
if store=$(mktemp -d /opt/kiln-it-storage.XXXXXX 2>/dev/null); then
	chmod 711 "$store"
	ln -s "$store" "$dir/storage"
fi
port=$("$build/tests/freeport")
stack() { KILN_SRCDIR="$src" KILN_BUILDDIR="$build" bash "$src/tests/stack.sh" "$@"; }
cleanup() {
	stack stop "$dir" >/dev/null 2>&1
	stack runs-kill "$dir"
	if [ "${rc:-1}" != 0 ]; then
		rm -rf "$build/tests/integration-logs"
		cp -r "$dir/log" "$build/tests/integration-logs" 2>/dev/null
		echo "stack logs kept in $build/tests/integration-logs"
		tail -n 30 "$dir"/log/kiln-api.log 2>/dev/null
	fi
	rm -rf "$dir"
	[ -z "$store" ] || rm -rf "$store"
}
trap cleanup EXIT
export KILN_WORKERS=4 KILN_MAX_BODY=64k KILN_MAX_REQUESTS=300 KILN_KEEP_ADMIN=1
# the scheduler starts with the suite that runs jobs (the others keep their
# jobs pending); it ticks fast, kills fast and gives up on silence fast
export KILN_SCHEDULER=0 KILN_TICK_MS=200 KILN_KILL_GRACE=1 KILN_JOB_LOST_SECONDS=4 KILN_GPUS=2 KILN_MIN_HOLD_SECONDS=2 KILN_MAX_LOG_BYTES=64k
# live tails: short-lived and few, so the suites see both limits
export KILN_SSE_MAX_SECONDS=3 KILN_SSE_MAX_STREAMS=2 KILN_SSE_KEEPALIVE_SECONDS=1
# small uploads by default (the 1 GiB test raises kiln's cap for itself);
# nginx's cap is the production one, so that test needs no nginx reload
export KILN_MAX_UPLOAD=4m KILN_NGINX_UPLOAD_MAX=1100m
# cheap password hashing and short rate-limit windows, so the suites test
# limits without waiting out production-sized windows
export KILN_PASSWORD_OPS=1 KILN_PASSWORD_MEM=8m KILN_DB_RW_TIMEOUT=3
export KILN_RL_SHORT_WINDOW=2 KILN_RL_SHORT_LIMIT=200 KILN_RL_LONG_WINDOW=3600 KILN_RL_LONG_LIMIT=1000000
export KILN_RL_LOGIN_WINDOW=3 KILN_RL_LOGIN_PER_EMAIL=5 KILN_RL_LOGIN_PER_ADDRESS=100000
stack start "$dir" "$port" || { rc=1; exit 1; }
KILN_IT_URL="http://127.0.0.1:$port" KILN_IT_DIR="$dir" KILN_IT_SRCDIR="$src" \
KILN_IT_BUILDDIR="$build" "$build/tests/integration/kiln-it"
rc=$?
# a sanitizer build reports into the server logs; any report fails the run
if grep -lE 'AddressSanitizer|LeakSanitizer|runtime error:' "$dir"/log/*.log 2>/dev/null; then
	echo "sanitizer reports found in the stack logs above"
	rc=1
fi
exit $rc
