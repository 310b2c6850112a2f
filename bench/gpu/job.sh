# SPDX-License-Identifier: MIT
# job.sh: the GPU check's job, submitted as its `script`. It shows what the
# sandbox lends it (environment, device nodes), asks nvidia-smi, and runs
# a bf16 matrix product with PyTorch when the host has it.
echo "uid=$(id -u) CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES NVIDIA_VISIBLE_DEVICES=$NVIDIA_VISIBLE_DEVICES CUDA_DEVICE_ORDER=${CUDA_DEVICE_ORDER:-unset}"
ls -l /dev/nvidia* 2>&1
nvidia-smi -L 2>&1
py=$(command -v python3)
[ -x /opt/torch/.venv/bin/python3 ] && py=/opt/torch/.venv/bin/python3
echo "python: $py"
"$py" - <<'PY'
import os, time
try:
    import torch
except ImportError:
    print("no torch here: CUDA not tried")
    raise SystemExit(0)
print("cuda available", torch.cuda.is_available(), "devices", torch.cuda.device_count())
if torch.cuda.is_available():
    print("device 0:", torch.cuda.get_device_name(0))
    a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    for _ in range(3):
        a @ a
    torch.cuda.synchronize()
    t = time.time()
    for _ in range(20):
        a @ a
    torch.cuda.synchronize()
    print("bf16 matmul TFLOP/s %.0f" % (20 * 2 * 8192**3 / (time.time() - t) / 1e12))
    with open(os.environ["KILN_OUTPUT_DIR"] + "/result.txt", "w") as f:
        f.write("ok\n")
PY
