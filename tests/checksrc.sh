#!/bin/sh
# SPDX-License-Identifier: MIT
# checksrc: rejects banned calls and third-party headers included outside
# their one file (../shared/STYLE.md rules 2 and 13). Usage: checksrc.sh FILE...
status=0
banned='\b(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|gets|atoi|atol|atoll|system)[[:space:]]*\('
for f in "$@"; do
	case "$f" in *.c|*.h) ;; *) continue ;; esac
	if grep -nE "$banned" "$f" | grep -vE '^\s*[0-9]+:\s*(/\*|\*)'; then
		echo "checksrc: $f: banned call (see STYLE.md rule 13)"; status=1
	fi
	if grep -q 'mysql_query\b' "$f" && [ "$f" != lib/db.c ]; then
		echo "checksrc: $f: mysql_query outside lib/db.c"; status=1
	fi
	# HEADER:OWNER[ OWNER...]; a test that builds fixtures with a library
	# (t_unpack.c writes archives) is named as a second owner
	while IFS=: read -r header owners; do
		if grep -qE "^#[[:space:]]*include[[:space:]]*<$header>" "$f"; then
			case " $owners " in *" $f "*) ;; *)
				echo "checksrc: $f: <$header> may only be included by $owners"; status=1 ;;
			esac
		fi
	done <<LIST
fcgiapp.h:fcgi/fcgi_io.c
fcgi_stdio.h:(nowhere)
mysql.h:lib/db.c
jwt.h:lib/jwt_hs256.c
sodium.h:lib/crypto.c
archive.h:scheduler/unpack.c tests/unit/t_unpack.c
archive_entry.h:scheduler/unpack.c tests/unit/t_unpack.c
espeak-ng/speak_lib.h:render/voice.c
LIST
	# libav under render/; the render test reads films back with it
	case "$f" in render/*|tests/render/util.c) ;; *)
		if grep -qE '^#[[:space:]]*include[[:space:]]*<lib(av|sw)' "$f"; then
			echo "checksrc: $f: libav headers belong under render/ (and tests/render/util.c)"; status=1
		fi ;;
	esac
	if ! head -n 1 "$f" | grep -q 'SPDX-License-Identifier'; then
		echo "checksrc: $f: first line must be the SPDX identifier"; status=1
	fi
done
[ $status -eq 0 ] && echo "checksrc: ok ($# files)"
exit $status
