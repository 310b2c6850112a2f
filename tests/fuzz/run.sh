#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh: builds the multipart fuzz target with clang's libFuzzer, ASan and
# UBSan, and runs it for KILN_FUZZ_SECONDS (default 20) on a seed corpus of
# valid bodies. Usage: tests/fuzz/run.sh [BUILD_DIR] (default build/fuzz).
# Exits non-zero on a build failure or a crash. Needs clang and, on Debian,
# libclang-rt-14-dev (the libFuzzer runtime).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-build/fuzz}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$top"
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Ilib lib/multipart.c lib/err.c tests/fuzz/fuzz_multipart.c -o "$out/fuzz-multipart"

corpus=$(mktemp -d "${TMPDIR:-/tmp}/kiln-fuzz.XXXXXX")
trap 'rm -rf "$corpus"' EXIT
# first byte: feed stride - 1 (low 7 bits); high bit: callbacks may fail
printf '\000--fuzzB\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n--fuzzB--\r\n' \
	>"$corpus/field"
printf '\003pre\r\n--fuzzB \r\nContent-Disposition: form-data; name=f; filename="../x.csv"\r\nContent-Type: text/csv\r\n\r\na,b\r\n--fuzz\r\n1,2\r\n--fuzzB\r\nContent-Disposition: form-data; name="e"; filename=""\r\n\r\n\r\n--fuzzB--\r\nepilogue' \
	>"$corpus/files"
printf '\177--fuzzB\r\ncontent-disposition: FORM-DATA; NAME=n; filename*=UTF-8'"''"'x\r\n\r\n\000\r\r\n--fuzz\r\n--fuzzB--' \
	>"$corpus/binary"
printf '\001multipart/form-data; charset=utf-8; boundary="a b:c"' >"$corpus/ctype"
long=$(printf '%0300d' 0)
printf '\202--fuzzB\r\nContent-Disposition: form-data; name=l; filename="a/.%s"\r\n\r\n!x\r\n--fuzzB\r\nContent-Disposition: form-data; name=m\r\n\r\ny\r\n--fuzzB--' \
	"$long" >"$corpus/long"
mkdir -p "$out/corpus"
# -dict: the tokens that matter to the state machine
dict="$out/multipart.dict"
cat >"$dict" <<'DICT'
"--fuzzB"
"\x0d\x0a--fuzzB"
"--fuzzB--"
"\x0d\x0a"
"Content-Disposition: "
"Content-Type: "
"form-data"
"; name="
"; filename="
"filename*="
"multipart/form-data"
"boundary="
DICT
"$out/fuzz-multipart" -max_total_time="${KILN_FUZZ_SECONDS:-20}" -max_len=4096 \
	-dict="$dict" -artifact_prefix="$out/" -print_final_stats=1 \
	"$out/corpus" "$corpus"
