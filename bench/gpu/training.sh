#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# training.sh BUNDLEDIR: after check.sh, on the same GPU host (its stack is
# still up): training jobs as seed 001 sends them (POST /training/jobs)
# with kiln's example trainer, trainers/pytorch, on one GPU: resnet18 on
# random images (no data set), then the small network on a CSV data set.
# The trainer runs with the host's PyTorch (/opt/torch/.venv when there).
# Output is teed to $OUT/training.txt.
. "$(dirname "$0")/lib.sh" "${1:-}" training.txt

stack_env
login
say trainer
mkdir -p /opt/kiln-train
cp trainers/pytorch /opt/kiln-train/pytorch.py
py=$(command -v python3)
[ -x /opt/torch/.venv/bin/python3 ] && py=/opt/torch/.venv/bin/python3
printf '#!/bin/sh\nexec %s /opt/kiln-train/pytorch.py "$@"\n' "$py" >/opt/kiln-train/pytorch
chmod 755 /opt/kiln-train/pytorch /opt/kiln-train/pytorch.py
cat /opt/kiln-train/pytorch
bash tests/stack.sh sched-start $d

say "resnet18 on random images, one GPU"
id=$(api -X POST -d '{"name": "mnist-training", "config": {"framework": "pytorch",
	"model": "resnet18", "epochs": 3, "batch_size": 32, "learning_rate": 0.001},
	"gpu_count": 1}' $base/training/jobs | field id)
expect "the training job completed" wait_end "$id"
expect "it trained on the GPU" grep -q "on NVIDIA" <<<"$log"
expect "three epochs" grep -q "Epoch 3/3" <<<"$log"
api $base/jobs/$id/outputs | python3 -c 'import json, sys
for o in json.load(sys.stdin): print(o["path"], o["size_bytes"])'

say "a CSV data set, the small network"
python3 -c 'import random
random.seed(1)
print("a,b,c,label")
for _ in range(2000):
    a, b, c = random.random(), random.random(), random.random()
    print("%.4f,%.4f,%.4f,%d" % (a, b, c, int(a + b > 1)))' >/tmp/toy.csv
ds=$(curl -sS -H "Authorization: Bearer $tok" -F file=@/tmp/toy.csv -F name=toy \
	$base/datasets | field id)
id2=$(api -X POST -d "{\"name\": \"toy\", \"dataset_id\": $ds, \"config\": {\"framework\":
	\"pytorch\", \"epochs\": 20, \"batch_size\": 64, \"learning_rate\": 0.01},
	\"gpu_count\": 1}" $base/training/jobs | field id)
expect "the CSV training job completed" wait_end "$id2"
expect "twenty epochs" grep -q "Epoch 20/20" <<<"$log"
api $base/jobs/$id2/outputs | python3 -c 'import json, sys
for o in json.load(sys.stdin): print(o["path"], o["size_bytes"])'
bash tests/stack.sh sched-stop $d
say "done: $([ $fail = 0 ] && echo all held || echo FAILED)"
exit $fail
