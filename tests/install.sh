#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# install.sh BUILDDIR: the install test. `make install DESTDIR=...` from a
# build configured for Debian's layout (--prefix=/usr --sysconfdir=/etc
# --localstatedir=/var, as ./dev does), then:
#   1. the tree: binaries, SQL, units, nginx files, web/, the example
#      configuration, no placeholder left unfilled;
#   2. in a private mount and network namespace where the installed tree
#      lies over /usr and /etc (overlays: the host is not touched), as a
#      sysadmin would have it: `systemd-analyze verify` on the units,
#      `nginx -t` on the installed server block (and again with its TLS
#      block enabled), kiln-api started from /usr/sbin as the unprivileged
#      user kiln with /etc/kiln/kiln.conf on a socket passed the way
#      kiln-api.socket passes it (systemd-socket-activate), and health,
#      documents, metrics, the auth rate limit and the internal files
#      location checked through nginx on port 80;
#   3. a job with a script and a data set, run by kiln-scheduler ticks as
#      root with `[sandbox] job_user = kiln-job` (the production users):
#      its logs, outputs and data set read back through kiln-api (kiln)
#      and nginx (www-data), then purged as kiln and removed by gc.
# KILN_INSTALL_KEEP=1 keeps the scratch folder (/tmp/kiln-install.*).
# Needs root (namespaces, a system user inside them). Every wait polls a
# condition with a deadline.
set -euo pipefail

build=$(cd "${1:?usage: install.sh BUILDDIR}" && pwd)
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "install test: $*" >&2; exit 1; }
ok() { echo "install test: ok: $*"; }

# exit 77 (the automake convention) is a skip: ./dev check says so at its end
[ "$(id -u)" = 0 ] || { echo "install test: SKIPPED (needs root for a private mount namespace)"; exit 77; }

T=$(mktemp -d /tmp/kiln-install.XXXXXX)
chmod 0755 "$T" # the kiln user reaches the database socket under it
D=$T/dest
cleanup() {
	KILN_SRCDIR="$src" KILN_BUILDDIR="$build" bash "$src/tests/stack.sh" db-stop "$T/stack" \
		>/dev/null 2>&1 || true
	[ "${KILN_INSTALL_KEEP:-0}" = 1 ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- 1. the installed tree ----------------------------------------------------
make -C "$build" -s install DESTDIR="$D" >"$T/install.log" 2>&1 ||
	{ tail -n 30 "$T/install.log"; die "make install failed"; }
[ -x "$D/usr/sbin/kiln-api" ] ||
	die "no $D/usr/sbin/kiln-api: configure $build with --prefix=/usr --sysconfdir=/etc --localstatedir=/var (./dev does)"
unitdir=$(sed -n 's/^systemdunitdir = //p' "$build/Makefile")
unitdir=${unitdir//\$(prefix)/\/usr}
for f in usr/sbin/kiln-api usr/bin/kilnctl usr/bin/kiln-scheduler usr/bin/kiln-run usr/bin/kiln-render; do
	[ -x "$D/$f" ] || die "missing program $f"
done
[ -x "$D/usr/share/kiln/trainers/pytorch" ] || die "missing the example trainer"
for f in usr/share/kiln/web/index.html usr/share/kiln/web/js/app.js \
	usr/share/kiln/web/js/pages/job.js usr/share/kiln/web/css/app.css usr/share/doc/kiln/openapi.json \
	usr/share/doc/kiln/operations.md etc/kiln/kiln.conf.example \
	etc/nginx/sites-available/kiln.conf etc/nginx/snippets/kiln-fastcgi.conf \
	"${unitdir#/}/kiln-api.service" "${unitdir#/}/kiln-api.socket" \
	"${unitdir#/}/kiln-scheduler.service" "${unitdir#/}/kiln-scheduler.timer" \
	"${unitdir#/}/kiln-gc.service" "${unitdir#/}/kiln-gc.timer"; do
	[ -f "$D/$f" ] || die "missing $f"
done
# every file of the dashboard, so that Makefile.am's lists stay in step
(cd "$src/web" && find . -type f | sort) >"$T/web.src"
(cd "$D/usr/share/kiln/web" && find . -type f | sort) >"$T/web.inst"
diff "$T/web.src" "$T/web.inst" >"$T/web.diff" ||
	{ cat "$T/web.diff"; die "web/ and the installed dashboard differ (Makefile.am's web lists)"; }
want=$(ls "$src"/sql/*.sql | wc -l)
have=$(ls "$D"/usr/share/kiln/sql/*.sql | wc -l)
[ "$want" = "$have" ] || die "$have migrations installed, $want in sql/"
if grep -n '@[A-Za-z_]*@' "$D/etc/nginx/sites-available/kiln.conf" "$D/${unitdir#/}"/kiln-*; then
	die "an installed file keeps a placeholder"
fi
grep -q "^ExecStart=/usr/sbin/kiln-api -c /etc/kiln/kiln.conf$" "$D/${unitdir#/}/kiln-api.service" ||
	die "kiln-api.service does not start the installed kiln-api"
ok "tree under DESTDIR ($have migrations, units in $unitdir)"

# ---- 2. the installed tree at work ----------------------------------------------
# a machine that cannot give us a mount namespace with overlays (a
# container without the capability) says so instead of failing the build
mkdir -p "$T/probe/up" "$T/probe/work"
if ! unshare --mount --net --propagation private sh -c \
	"mount -t overlay overlay -o lowerdir=/etc,upperdir=$T/probe/up,workdir=$T/probe/work /etc" \
	>"$T/probe.log" 2>&1; then
	echo "install test: SKIPPED part 2 (no private mount namespace with overlays here: $(head -c 200 "$T/probe.log"))"
	exit 77
fi
KILN_SRCDIR="$src" KILN_BUILDDIR="$build" bash "$src/tests/stack.sh" db-start "$T/stack" >/dev/null
dbsock=$T/stack/run/mysqld.sock
dbpw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
mariadb --no-defaults --socket="$dbsock" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS kiln CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'kiln'@'localhost' IDENTIFIED BY '$dbpw';
GRANT ALL PRIVILEGES ON kiln.* TO 'kiln'@'localhost';
SQL
mkdir -p "$T/etc-up" "$T/etc-work" "$T/var-up" "$T/var-work" "$T/nginx" "$T/log"
cat >"$T/nginx/nginx.conf" <<NGX
user www-data;
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/log/nginx-error.log warn;
events { worker_connections 256; }
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log $T/log/nginx-access.log;
	include /etc/nginx/sites-available/kiln.conf;
}
NGX

export T D dbsock dbpw unitdir
unshare --mount --net --propagation private bash -euo pipefail <<'INSIDE'
die() { echo "install test: $*" >&2; exit 1; }
ok() { echo "install test: ok: $*"; }
wait_for() { # SECONDS WHAT COMMAND...
	local deadline=$(( $(date +%s) + $1 )) what=$2; shift 2
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || die "timed out waiting for $what"
		sleep 0.05
	done
}
mount -t overlay overlay -o "lowerdir=$D/usr:/usr" /usr
mount -t overlay overlay -o "lowerdir=$D/etc:/etc,upperdir=$T/etc-up,workdir=$T/etc-work" /etc
mount -t overlay overlay -o "lowerdir=/var,upperdir=$T/var-up,workdir=$T/var-work" /var
mount -t tmpfs -o mode=0755 tmpfs /run
ip link set lo up

pids=()
stop_all() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait_for 20 "pid $p to stop" sh -c "! kill -0 $p"; done
}
trap stop_all EXIT

systemd-analyze verify "$D$unitdir"/kiln-api.service "$D$unitdir"/kiln-api.socket \
	"$D$unitdir"/kiln-scheduler.service "$D$unitdir"/kiln-scheduler.timer \
	"$D$unitdir"/kiln-gc.service "$D$unitdir"/kiln-gc.timer >"$T/log/verify.log" 2>&1 ||
	{ cat "$T/log/verify.log"; die "systemd-analyze verify failed"; }
[ -s "$T/log/verify.log" ] && { cat "$T/log/verify.log"; die "systemd-analyze verify warned"; }
ok "systemd-analyze verify on the six units"
# the hardening, as systemd scores it (0 best, 10 worst; "OK" is below 4.5)
score=$(systemd-analyze security --offline=true "$D$unitdir/kiln-api.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for kiln-api.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || die "systemd-analyze security gave no score"
awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }' || die "kiln-api.service exposure $score (want <= 1.5)"
ok "kiln-api.service exposure $score by systemd-analyze security"

# what docs/operations.md has the sysadmin do
useradd --system --user-group --home-dir /var/lib/kiln --shell /usr/sbin/nologin kiln
usermod -aG kiln www-data
install -d -o kiln -g kiln -m 0711 /var/lib/kiln
install -d -o kiln -g kiln -m 0755 /run/kiln
jwt=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
sig=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
sed -e "s|^socket = .*|socket = $dbsock|" -e "s|^password = .*|password = $dbpw|" \
	-e "s|^jwt_secret = .*|jwt_secret = $jwt|" -e "s|^signing_key = .*|signing_key = $sig|" \
	-e "s|^workers = .*|workers = 2|" -e "s|^metrics_from =.*|metrics_from = 127.0.0.1|" \
	/etc/kiln/kiln.conf.example >/etc/kiln/kiln.conf
chown kiln:kiln /etc/kiln/kiln.conf
chmod 0600 /etc/kiln/kiln.conf
kilnctl -c /etc/kiln/kiln.conf migrate >"$T/log/migrate.log" 2>&1 ||
	{ cat "$T/log/migrate.log"; die "kilnctl migrate (installed SQL) failed"; }
adminpw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
echo "$adminpw" | kilnctl -c /etc/kiln/kiln.conf user create --email admin@example.com --role admin \
	--password-stdin >/dev/null || die "kilnctl user create failed"
ok "migrations from /usr/share/kiln/sql, first admin"

# socket activation, as kiln-api.socket does it: the socket is opened
# before kiln-api runs, and kiln-api starts at the first connection
sed -i 's|^listen = .*|listen = systemd|' /etc/kiln/kiln.conf
(exec systemd-socket-activate -l /run/kiln/api.sock \
	setpriv --reuid=kiln --regid=kiln --init-groups --no-new-privs \
	/usr/sbin/kiln-api -c /etc/kiln/kiln.conf -p /run/kiln/kiln-api.pid) \
	</dev/null >"$T/log/kiln-api.log" 2>&1 &
pids+=($!)
wait_for 10 "the activation socket" test -S /run/kiln/api.sock
# what kiln-api.socket sets: SocketUser=kiln, SocketGroup=www-data, 0660
chown kiln:www-data /run/kiln/api.sock
chmod 0660 /run/kiln/api.sock

nginx -t -q -c "$T/nginx/nginx.conf" || die "nginx -t failed on the installed kiln.conf"
ok "nginx -t on /etc/nginx/sites-available/kiln.conf"
# the TLS block, enabled as operations.md says, with a throw-away certificate
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=kiln.test \
	-keyout "$T/tls.key" -out "$T/tls.crt" >/dev/null 2>&1 || die "openssl could not make a certificate"
sed -e 's|^\t#listen 443|\tlisten 443|' -e 's|^\t#listen \[::\]:443|\tlisten [::]:443|' \
	-e 's|^\t#ssl_|\tssl_|' -e 's|^\t#add_header Strict|\tadd_header Strict|' \
	-e "s|/etc/letsencrypt/live/kiln.example.com/fullchain.pem|$T/tls.crt|" \
	-e "s|/etc/letsencrypt/live/kiln.example.com/privkey.pem|$T/tls.key|" \
	/etc/nginx/sites-available/kiln.conf >"$T/nginx/kiln-tls.conf"
grep -qP '^\tlisten 443 ssl' "$T/nginx/kiln-tls.conf" || die "no TLS lines to enable"
sed "s|/etc/nginx/sites-available/kiln.conf|$T/nginx/kiln-tls.conf|" "$T/nginx/nginx.conf" \
	>"$T/nginx/nginx-tls.conf"
nginx -t -q -c "$T/nginx/nginx-tls.conf" || die "nginx -t failed with the TLS block enabled"
ok "nginx -t with the TLS block enabled"
nginx -c "$T/nginx/nginx.conf"
wait_for 10 "nginx's pid file" test -s "$T/nginx/nginx.pid"
pids+=("$(cat "$T/nginx/nginx.pid")")

base=http://127.0.0.1
wait_for 20 "health through nginx" curl -fsS --max-time 2 "$base/api/v1/health"
curl -fsS -o "$T/b" "$base/api/v1/health" && grep -q '"status": *"ok"' "$T/b" || die "health is not ok"
wait_for 10 "kiln-api's pid file" test -s /run/kiln/kiln-api.pid
[ "$(ps -o user= -p "$(cat /run/kiln/kiln-api.pid)")" = kiln ] || die "kiln-api does not run as kiln"
grep -q "workers on systemd" "$T/log/kiln-api.log" || die "kiln-api did not take the activation socket"
ok "health through nginx on port 80, kiln-api as kiln on the socket systemd would pass"

curl -fsS -o "$T/b" "$base/api/v1/openapi.json" && grep -q '"openapi"' "$T/b" || die "no openapi.json"
curl -fsS -o "$T/b" "$base/docs/operations.md" && grep -q '^# Operating kiln' "$T/b" || die "no /docs/"
curl -fsS -D "$T/h" -o /dev/null "$base/" || die "no dashboard at /"
grep -qi '^content-security-policy: .*script-src .self.' "$T/h" || die "no CSP on /"
grep -qi '^x-frame-options: DENY' "$T/h" || die "no X-Frame-Options on /"
curl -fsS -o "$T/b" "$base/api/v1/metrics" && grep -q '^kiln_database_up 1$' "$T/b" ||
	die "no metrics for 127.0.0.1"
# a file that exists under the storage root: only X-Accel-Redirect reaches it
echo probe >/var/lib/kiln/probe
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/_kiln_files/probe")
[ "$code" = 404 ] || die "the internal files location answered $code"
ok "documents, security headers, metrics, internal location"

# ---- 3. a job end to end, with the production users ----------------------------
# kiln-api runs as kiln, kiln-run as root dropping to kiln-job, nginx as
# www-data in kiln's group: the job's folder, its data set, outputs and
# logs must be readable by the ones that serve them, and removable by gc
useradd --system --user-group --no-create-home --shell /usr/sbin/nologin kiln-job
sed -i -e 's|^job_user = .*|job_user = kiln-job|' -e 's|^gpus = .*|gpus = 1|' \
	-e 's|^node_name = .*|node_name = install|' /etc/kiln/kiln.conf
json() { python3 -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1], {"j": j}))' "$1"; }
tok=$(curl -fsS -H 'Content-Type: application/json' \
	-d "{\"email\": \"admin@example.com\", \"password\": \"$adminpw\"}" "$base/api/v1/auth/login" |
	json 'j["access_token"]') || die "the admin could not log in"
api() { curl -sS -H "Authorization: Bearer $tok" "$@"; }
api -fo /dev/null -H 'Content-Type: application/json' -d '{"amount": 100, "reason": "install test"}' \
	"$base/api/v1/admin/wallet/1/grant" || die "no credits for the admin"
cat >"$T/train.sh" <<'JOB'
set -e
f=${KILN_DATASET:-$KILN_DATA_FILE}
[ -d "$f" ] && f=$f/data.csv
rows=$(wc -l <"$f")
echo "user=$(id -un) rows=$rows"
mkdir -p "$KILN_OUTPUT_DIR/deep"
echo "made by $(id -un) from $rows rows" >"$KILN_OUTPUT_DIR/result.txt"
echo deep >"$KILN_OUTPUT_DIR/deep/more.txt"
JOB
printf 'a,b\n1,2\n3,4\n' >"$T/data.csv"
tar -C "$T" -czf "$T/data.tgz" data.csv
printf 'a,b\n1,2\n3,4\n5,6\n7,8\n' >"$T/rows.csv"
# a CSV data set is linked into the job's data/, an archive is unpacked
# there by a child running as the job user; a CSV in shards gives each
# job of its batch one script file, hard-linked into every job's input/
submit() { # DATASET: prints the job's id
	api -o "$T/job.json" -F script_file=@"$T/train.sh" -F dataset_file=@"$1" \
		-F 'job_data={"script_name": "train.sh", "docker_image": "python:3.11"}' "$base/api/v1/jobs"
	json 'j["id"]' <"$T/job.json" || { cat "$T/job.json" >&2; die "the job with $1 was not taken"; }
}
id=$(submit "$T/data.csv")
ds=$(json 'j["dataset_id"]' <"$T/job.json")
id2=$(submit "$T/data.tgz")
api -o "$T/batch.json" -F title=install -F file_code=@"$T/train.sh" -F file_data=@"$T/rows.csv" \
	-F shards=2 "$base/api/v1/jobs/upload"
shards=$(json '" ".join(str(i) for i in j["job_ids"])' <"$T/batch.json") ||
	{ cat "$T/batch.json"; die "the CSV in shards was not taken"; }
all="$id $id2 $shards"
# the tick, as kiln-scheduler.timer fires it (root), until every job ends
status() { api "$base/api/v1/jobs/$1" | json 'j["status"]'; }
over() { case $(status "$1") in completed | failed | cancelled | killed* | lost) return 0 ;; esac; return 1; }
ended() {
	local j
	kiln-scheduler -c /etc/kiln/kiln.conf >>"$T/log/scheduler.log" 2>&1 || return 1
	for j in $all; do over "$j" || return 1; done
}
wait_for 60 "jobs $all to end" ended
for j in $all; do
	[ "$(status "$j")" = completed ] ||
		{ api "$base/api/v1/jobs/$j"; api "$base/api/v1/jobs/$j/logs"; die "job $j did not complete"; }
	api -f "$base/api/v1/jobs/$j/logs" >"$T/logs" || die "kiln-api cannot read job $j's logs"
	grep -q '^user=kiln-job rows=3$' "$T/logs" ||
		{ cat "$T/logs"; die "job $j did not run as kiln-job on its data set"; }
done
dir=/var/lib/kiln/jobs/$id
[ "$(stat -c '%U:%G %a' "$dir")" = "kiln-job:kiln 2750" ] ||
	die "job folder is $(stat -c '%U:%G %a' "$dir"), not kiln-job:kiln 2750"
[ "$(stat -c %G "$dir/outputs/deep/more.txt")" = kiln ] || die "an output is not in kiln's group"
[ "$(stat -c '%U:%G' "$dir/logs")" = kiln:kiln ] || die "logs/ is $(stat -c '%U:%G' "$dir/logs"), not kiln's"
api -f "$base/api/v1/jobs/$id/outputs" >"$T/outputs" || die "no outputs"
for f in result.txt deep/more.txt; do
	url=$(json "[o['url'] for o in j if o['path'] == '$f'][0]" <"$T/outputs") ||
		{ cat "$T/outputs"; die "no output $f"; }
	curl -fsS -o "$T/got" "$base$url" || die "nginx could not serve output $f"
	cmp -s "$T/got" "$dir/outputs/$f" || die "output $f came back different"
done
grep -qx 'made by kiln-job from 3 rows' "$dir/outputs/result.txt" || die "the job's output is not what it wrote"
first=${shards%% *}
[ "$(stat -c '%h %U:%G %a' "/var/lib/kiln/jobs/$first/input/train.sh")" = "2 kiln:kiln 644" ] ||
	die "a batch's shared script is $(stat -c '%h %U:%G %a' "/var/lib/kiln/jobs/$first/input/train.sh")"
api -fsSL -o "$T/got" "$base/api/v1/datasets/$ds/download" || die "nginx could not serve the data set"
cmp -s "$T/got" "$T/data.csv" || die "the data set came back different"
ok "jobs $id (CSV), $id2 (tar.gz) and $shards (shards) as kiln-job: logs, outputs and data set served by kiln-api and nginx"

# kiln-api (not root) cannot remove kiln-job's files: it sets the folders
# aside, and gc (root, as kiln-gc.service runs) removes them
for j in $all; do
	code=$(api -o "$T/b" -w '%{http_code}' -X DELETE "$base/api/v1/jobs/$j/purge")
	[ "$code" = 204 ] || { cat "$T/b"; die "purge of job $j answered $code"; }
	[ ! -e "/var/lib/kiln/jobs/$j" ] || die "purged job $j's folder is still in place"
done
kilnctl -c /etc/kiln/kiln.conf gc >"$T/log/gc.log" 2>&1 || { cat "$T/log/gc.log"; die "kilnctl gc failed"; }
leftover=$(ls -A /var/lib/kiln/jobs)
[ -z "$leftover" ] || { ls -la /var/lib/kiln/jobs; die "gc left $leftover"; }
ok "purge as kiln, then gc as root: nothing left of jobs $all"

# every other guess with a trailing slash, which kiln answers too: the
# limit must hold for both spellings (about half of 40 are refused, so
# each spelling gets some unless one goes round the limit)
limited=0 limited_slash=0
guesses=()
for i in $(seq 40); do # at once: a guesser does not wait for answers
	slash=$([ $((i % 2)) = 0 ] && echo / || true)
	curl -s -o "$T/b$i" -D "$T/h$i" -w '%{http_code}\n' -H 'Content-Type: application/json' \
		-d "{\"email\":\"guess$i@example.com\",\"password\":\"wrong-password\"}" \
		"$base/api/v1/auth/login$slash" >"$T/code$i" &
	guesses+=($!)
done
wait "${guesses[@]}"
for i in $(seq 40); do
	if [ "$(cat "$T/code$i")" = 429 ] && grep -q 'from this address' "$T/b$i"; then
		# JSON, with Retry-After and the server's headers (a request id)
		grep -qi '^Retry-After: 1' "$T/h$i" || die "nginx's 429 has no Retry-After"
		grep -qi '^Content-Type: application/json' "$T/h$i" || die "nginx's 429 is not JSON"
		grep -qi '^X-Request-ID: ' "$T/h$i" || die "nginx's 429 has no X-Request-ID"
		limited=$((limited + 1))
		[ $((i % 2)) = 1 ] || limited_slash=$((limited_slash + 1))
	fi
done
[ "$limited" -gt 0 ] || die "40 quick sign-ins were never limited by nginx"
[ "$limited_slash" -gt 0 ] && [ "$limited_slash" -lt "$limited" ] ||
	die "the limit did not hold for both spellings: $limited_slash of $limited refusals were /auth/login/"
ok "auth rate limit per address ($limited of 40 answered 429 by nginx, $limited_slash of them /auth/login/)"
# a signed-in client's /auth/me is not a password route: never limited
guesses=()
for i in $(seq 40); do
	curl -s -o /dev/null -w '%{http_code}\n' "$base/api/v1/auth/me" >"$T/me$i" &
	guesses+=($!)
done
wait "${guesses[@]}"
for i in $(seq 40); do
	[ "$(cat "$T/me$i")" = 401 ] || die "/auth/me answered $(cat "$T/me$i"), not 401"
done
ok "/auth/me is not rate limited by nginx"
INSIDE
