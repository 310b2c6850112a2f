#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# install.sh BUNDLE: on the GPU host, adds what it lacks of a pack.sh
# bundle: libraries by soname (into /opt/kiln/lib, made known to ld.so),
# programs and data by path, and kiln's programs under /opt/kiln/build.
# Nothing the host has is replaced, so its own newer libraries stay in use.
set -euo pipefail
st=$(mktemp -d /tmp/kiln-bundle.XXXXXX)
trap 'rm -rf "$st"' EXIT
tar -C "$st" -xJf "${1:?usage: install.sh BUNDLE}"
mkdir -p /opt/kiln/lib /opt/kiln/build
have=$(ldconfig -p)
added=0 kept=0
for l in "$st"/lib/*; do
	n=$(basename "$l")
	if grep -q "^[[:space:]]$n " <<<"$have"; then
		kept=$((kept + 1))
	else
		[ -e "/opt/kiln/lib/$n" ] || cp "$l" /opt/kiln/lib/
		added=$((added + 1))
	fi
done
echo "install: $added libraries added, $kept already here"
echo /opt/kiln/lib >/etc/ld.so.conf.d/zz-kiln.conf
ldconfig
(cd "$st/files" && find . \( -type f -o -type l \) -print) | while read -r f; do
	f=${f#./}
	[ -e "/$f" ] && continue
	mkdir -p "$(dirname "/$f")"
	cp -a "$st/files/$f" "/$f"
done
cp -a "$st/build/." /opt/kiln/build/
for b in /opt/kiln/build/*/*; do
	if ldd "$b" | grep -q "not found"; then
		echo "install: $b lacks:"
		ldd "$b" | grep "not found"
	fi
done
