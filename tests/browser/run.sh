#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh BUILDDIR: the dashboard's browser tests. Starts a private stack
# (MariaDB, kiln-api, nginx serving web/, kiln-scheduler) on a free port in
# a fresh directory, installs playwright-core from the lockfile (npm ci,
# offline cache first), runs tests/browser/*.test.js in Debian's headless
# chromium against it, and tears the stack down on any exit. Bounded:
# the whole run is killed after KILN_BROWSER_TIMEOUT seconds (240).
# Screenshots go to BUILDDIR/browser-screenshots, or to
# KILN_SCREENSHOT_DIR (e.g. docs/screenshots to refresh the committed ones).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILDDIR}" && pwd)
chromium=${KILN_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "browser tests: $chromium is missing (apt-get install chromium)" >&2; exit 1; }
command -v node >/dev/null || { echo "browser tests: node is missing (apt-get install nodejs npm)" >&2; exit 1; }
# playwright-core 1.65 and `node --test --test-concurrency` want Node.js 20
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] 2>/dev/null ||
	{ echo "browser tests: Node.js $(node --version 2>/dev/null) is too old: 20 or newer is needed" >&2; exit 1; }

if [ ! -d "$here/node_modules/playwright-core" ] ||
	[ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
	(cd "$here" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error) ||
		{ echo "browser tests: npm ci failed" >&2; exit 1; }
fi

dir=$(mktemp -d /tmp/kiln-browser.XXXXXX)
chmod 711 "$dir" # jobs run as nobody and must reach their directory
port=$("$build/tests/freeport")
stack() { KILN_SRCDIR="$src" KILN_BUILDDIR="$build" bash "$src/tests/stack.sh" "$@"; }
cleanup() {
	stack stop "$dir" >/dev/null 2>&1
	stack runs-kill "$dir"
	if [ "${rc:-1}" != 0 ]; then
		rm -rf "$build/tests/browser-logs"
		cp -r "$dir/log" "$build/tests/browser-logs" 2>/dev/null &&
			echo "stack logs kept in $build/tests/browser-logs"
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
# a fast scheduler and cheap password hashing; the rate limits are
# production's, which the dashboard's own polling must stay within
export KILN_WORKERS=4 KILN_KEEP_ADMIN=1 KILN_TICK_MS=200 KILN_KILL_GRACE=1 KILN_GPUS=2
export KILN_MIN_HOLD_SECONDS=2 KILN_SSE_MAX_SECONDS=5 KILN_PASSWORD_OPS=1 KILN_PASSWORD_MEM=8m
export KILN_MAX_UPLOAD=8m
stack start "$dir" "$port" >"$dir/start.log" 2>&1 || { cat "$dir/start.log"; rc=1; exit 1; }

shots=${KILN_SCREENSHOT_DIR:-$build/browser-screenshots}
mkdir -p "$shots"
shots=$(cd "$shots" && pwd)
cd "$here" || exit 1
KILN_URL="http://127.0.0.1:$port" KILN_ADMIN_FILE="$dir/admin.txt" KILN_CHROMIUM="$chromium" \
KILN_SHOTS="$shots" timeout -k 10 "${KILN_BROWSER_TIMEOUT:-240}" \
	node --test --test-concurrency=1 --test-timeout=120000 --test-reporter=spec ./*.test.js
rc=$?
[ $rc = 124 ] && echo "browser tests: timed out after ${KILN_BROWSER_TIMEOUT:-240} s" >&2
exit $rc
