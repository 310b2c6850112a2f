#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# render.sh BUNDLEDIR: on the GPU host after check.sh, from the
# repository's root. Installs BUNDLEDIR/render.tar.xz and renders a short
# film on the GPU: through check.sh's stack while it is up (a render job
# gets one GPU, so kiln-render tries h264_nvenc), else by running
# kiln-render directly with CUDA_VISIBLE_DEVICES=0. Output is teed to
# $OUT/render.txt, the film copied to $OUT/film.mp4; exits non-zero when
# no film was made.
. "$(dirname "$0")/lib.sh" "${1:-}" render.txt

say install
bash "$here/install.sh" "$bundles/render.tar.xz" || exit 1
body='{"name": "film", "script": "A lighthouse keeper wakes before dawn.\nShe climbs the stairs and lights the lamp.\nShips pass safely through the night.", "config": {"num_images": 3, "video_duration": 6, "include_voice": true, "include_music": true, "fps": 24, "quality": "medium"}}'
if [ -s $d/run/nginx.pid ] && kill -0 "$(cat $d/run/nginx.pid)" 2>/dev/null; then
	say "a render job through the stack"
	stack_env
	bash tests/stack.sh sched-start $d
	login
	id=$(api -X POST -d "$body" $base/jobs | field id)
	expect "the render job completed" wait_end "$id"
	w=$d/storage/jobs/$id/outputs
else
	say "kiln-render directly (no stack here)"
	w=/tmp/kiln-gpu-render
	mkdir -p $w/input $w/outputs
	python3 -c 'import json, sys; b = json.loads(sys.argv[1])
json.dump({"script": b["script"], "config": b["config"]}, open(sys.argv[2], "w"))' "$body" $w/input/render.json
	expect "kiln-render succeeded" env CUDA_VISIBLE_DEVICES=0 /opt/kiln/build/render/kiln-render \
		$w/input/render.json $w/outputs
	w=$w/outputs
fi
cat $w/manifest.json
echo
ls -l $w
expect "a film was made" cp $w/film.mp4 "$out/"
expect "the manifest names the encoder used" grep -q '"video_encoder"' $w/manifest.json
say "done: $([ $fail = 0 ] && echo all held || echo FAILED)"
exit $fail
