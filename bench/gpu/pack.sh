#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pack.sh BUILDDIR OUTDIR [stack]: bundles for checking kiln's GPU paths on a GPU
# host that has none of kiln's Debian packages (a lent machine with its
# own distribution): kiln's programs from BUILDDIR, the Debian programs its
# stack runs, and every shared library they need but glibc's own.
#   OUTDIR/stack.tar.xz   MariaDB, nginx, bubblewrap, wrk, curl and kiln's
#                         programs (about 24 MB)
#   OUTDIR/render.tar.xz  kiln-render, the libav closure the first lacks,
#                         espeak-ng's English data, two fonts (about 55 MB)
# With "stack", only the first (enough for check.sh and its benches).
# There, install.sh adds what the host lacks; check.sh and render.sh run
# the checks (bench/gpu/README.md).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: pack.sh BUILDDIR OUTDIR}" && pwd)
out=${2:?usage: pack.sh BUILDDIR OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$src"

# closure FILE...: the shared libraries FILEs load, glibc's left out
closure() {
	local f
	for f in "$@"; do
		if [ -f "$f" ]; then ldd "$f" 2>/dev/null | awk '/=> \//{ print $3 }' || true; fi
	done | sort -u |
		grep -vE '/(libc|libm|libdl|libpthread|librt|libresolv|ld-linux-x86-64|libutil|libanl)\.so'
}

# pack NAME PROGRAMS FILES [LIBS-TO-LEAVE-OUT]
pack() {
	local name=$1 progs=$2 files=$3 st="$out/stage-$1" f
	rm -rf "$st" "$out/$name.tar.xz"
	mkdir -p "$st/files" "$st/lib" "$st/build"
	for f in $progs; do
		mkdir -p "$st/build/$(dirname "$f")"
		cp "$build/$f" "$st/build/$f"
	done
	for f in $files; do
		[ -e "$f" ] && tar -C / -cf - "${f#/}" | tar -C "$st/files" -xf -
	done
	closure $files "$st"/build/*/* >"$out/$name.libs"
	if [ -n "${4:-}" ]; then
		grep -vxFf "$4" "$out/$name.libs" >"$out/$name.libs.new" || true
		mv "$out/$name.libs.new" "$out/$name.libs"
	fi
	xargs -a "$out/$name.libs" cp -L -t "$st/lib/"
	# MariaDB's messages in English only
	if [ -d "$st/files/usr/share/mysql" ]; then
		find "$st/files/usr/share/mysql" -mindepth 1 -maxdepth 1 -type d \
			! -name english ! -name charsets -exec rm -rf {} +
	fi
	tar -C "$st" -cf - . | xz -T2 -9 >"$out/$name.tar.xz"
	rm -rf "$st"
	echo "pack: $out/$name.tar.xz $(du -h "$out/$name.tar.xz" | cut -f1)"
}

pack stack "fcgi/kiln-api scheduler/kiln-run scheduler/kiln-scheduler scheduler/kilnctl tests/freeport" \
	"/usr/sbin/mariadbd /usr/bin/mariadb /usr/bin/mariadb-admin /usr/bin/mariadb-install-db
	/usr/bin/my_print_defaults /usr/bin/resolveip /usr/sbin/nginx /usr/bin/bwrap /usr/bin/wrk
	/usr/bin/curl /usr/share/mysql /etc/nginx/mime.types"
espeak=/usr/lib/x86_64-linux-gnu/espeak-ng-data
[ "${3:-}" = stack ] || pack render "render/kiln-render" \
	"$espeak/phontab $espeak/phonindex $espeak/phondata $espeak/intonations $espeak/en_dict
	$espeak/lang $espeak/voices /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
	/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf" "$out/stack.libs"
rm -f "$out/stack.libs" "$out/render.libs"
