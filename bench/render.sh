#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# render.sh: kiln-render's benchmark (./dev bench runs it): a 30 s, 720p,
# 30 fps, 10-scene film with voice and music, then the same film made by
# the ffmpeg command line from kiln-render's own scene PNGs and voice and
# music WAVs (kept with the hidden -k option): zoompan + xfade, ducking by
# sidechaincompress + amix, libx264 with the same preset and CRF, AAC,
# faststart. The CLI skips the cards, speech and music synthesis that
# kiln-render's time includes, so the ratio is conservative.
# Budget: kiln-render no slower than the command line (ratio <= 1.0).
# Benchmarks report, they do not judge: a missed budget prints FAIL and
# the exit status stays 0; it is non-zero when a render fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${KILN_BUILDDIR:-$here/build}
bin="$build/render/kiln-render"

die() { echo "render-bench: $*" >&2; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
[ -x "$bin" ] || die "no $bin (configure found no libav or espeak-ng?)"
command -v ffmpeg >/dev/null || die "no ffmpeg command line for the reference"

dir=$(mktemp -d /tmp/kiln-render-bench.XXXXXX)
trap '[ "${KILN_BENCH_KEEP:-0}" = 1 ] || rm -rf "$dir"' EXIT
mkdir -p "$dir/keep"
cat >"$dir/render.json" <<'JSON'
{"script": "The city sleeps under a blanket of fog.\nA lone cyclist crosses the old stone bridge.\nThe bakery lights flicker on, one by one.\nSteam rises from the first loaves of the day.\nA cat watches from a windowsill, unimpressed.\nThe tram bell rings twice at the empty square.\nMarket stalls unfold like paper flowers.\nChildren race the pigeons down the avenue.\nBy noon the fog has burned away completely.\nAnd the city, awake at last, begins to sing.",
 "config": {"num_images": 10, "video_duration": 30, "fps": 30, "quality": "medium",
            "include_voice": true, "include_music": true, "voice": "default",
            "genre": "cinematic", "mood": "hopeful"}}
JSON

# 1. kiln-render (libx264: no GPU here, as on the bench machine)
t0=$(now_ms)
CUDA_VISIBLE_DEVICES= KILN_PROGRESS_FILE="$dir/progress" KILN_FAILURE_FILE="$dir/failure" \
	"$bin" -k "$dir/keep" "$dir/render.json" "$dir/out" >"$dir/render.log" ||
	{ cat "$dir/render.log" "$dir/failure" >&2; die "kiln-render failed"; }
t_kiln=$(( $(now_ms) - t0 ))

# 2. the command line: 10 clips of 3 s (+0.5 s overlap but the last), each
# a zoompan over one PNG, chained by 0.5 s cross-fades at 3, 6, ... 27 s
fps=30 n=10 scene=3 fade=0.5
inputs=() graph=""
for i in $(seq 0 $((n - 1))); do
	png=$(printf '%s/out/images/scene_%02d.png' "$dir" $((i + 1)))
	inputs+=(-i "$png")
	len=$scene; [ "$i" -lt $((n - 1)) ] && len=$(awk "BEGIN{print $scene + $fade}")
	frames=$(awk "BEGIN{print int($len * $fps + 0.5)}")
	graph+="[$i:v]zoompan=z='1+0.1*on/$frames':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)'"
	graph+=":d=$frames:s=1280x720:fps=$fps,format=yuv420p[z$i];"
done
prev="z0"
for i in $(seq 1 $((n - 1))); do
	graph+="[$prev][z$i]xfade=transition=fade:duration=$fade:offset=$((i * scene))[x$i];"
	prev="x$i"
done
graph+="[$n:a]asplit[vo][sc];[$((n + 1)):a][sc]sidechaincompress=threshold=0.02:ratio=8"
graph+=":attack=50:release=300[duck];[vo][duck]amix=inputs=2:duration=first:normalize=0[a]"
t0=$(now_ms)
ffmpeg -hide_banner -loglevel error -y "${inputs[@]}" -i "$dir/keep/voice.wav" \
	-i "$dir/keep/music.wav" -filter_complex "$graph" -map "[$prev]" -map "[a]" \
	-c:v libx264 -preset veryfast -crf 23 -g 120 -pix_fmt yuv420p -r $fps \
	-c:a aac -b:a 128k -ac 1 -ar 48000 -t 30 -movflags +faststart "$dir/cli.mp4" ||
	die "the ffmpeg reference failed"
t_cli=$(( $(now_ms) - t0 ))

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
ratio=$(awk "BEGIN { printf \"%.2f\", $t_kiln / $t_cli }")
verdict=ok; awk "BEGIN { exit !($t_kiln > $t_cli) }" && verdict=FAIL
echo "render-bench: machine: $cpu, $(nproc) cores"
echo "render-bench: film: 30 s, 1280x720, 30 fps, 10 scenes, voice + music, libx264 veryfast CRF 23"
grep -E 'kiln-render: (images|voice|music|video|mux)' "$dir/render.log" | grep ms | sed 's/^/render-bench:   /'
echo "render-bench: kiln-render        $t_kiln ms (cards, speech, music, frames, encode, mux)"
echo "render-bench: ffmpeg CLI         $t_cli ms (zoompan + xfade + sidechaincompress/amix, encode, mux)"
echo "render-bench: ratio kiln/CLI     $ratio  (budget <= 1.00: $verdict)"
