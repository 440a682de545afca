#!/usr/bin/env bash
# One prepared run on a machine with a real GPU (an NVIDIA datacenter card reached through Vulkan):
# which adapter keras_lite finds, the GPU conformance tests on it, one training step's per-kernel times,
# and the gpu-large workload beside keras_lite on the CPU and PyTorch CUDA.
#
# Run from the repository root with the extension built (python/keras_lite/_core.abi3.so). Where the
# machine has no Vulkan loader, put Debian's libvulkan1 (and the GL dispatch libraries) as .deb files
# in .gl/ and they are unpacked first. Logs go to $OUT (or ./gpu-device-out) as well as to stdout.
#
#   bash bench/gpu_device.sh [rows]      (PARTS="tests upload profile large" by default: any of them)
set -u -o pipefail
out=${OUT:-gpu-device-out}
mkdir -p "$out"
rows=${1:-1000000}
parts=" ${PARTS:-tests upload profile large} "
want() { [[ $parts == *" $1 "* ]]; }

if ! ldconfig -p | grep -q libvulkan.so.1 && compgen -G ".gl/*.deb" >/dev/null; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$icd" ] && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
    export VK_DRIVER_FILES=$icd
fi
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
py=${PYTHON:-python3}

section() { printf '\n=== %s (%s)\n' "$1" "$(date +%T)"; }

section "machine"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv 2>&1
$py -c "import sys, numpy; print(sys.version.split()[0], 'numpy', numpy.__version__)"
$py -c "
import keras_lite as keras
for d in keras.config.list_devices():
    print(d)
print('resolve gpu ->', keras.config.resolve_device('gpu'))
" 2>&1 | tee "$out/adapters.txt" || exit 1

want tests && section "GPU conformance tests (every test with a gpu case)" &&
CI=true timeout 240 $py -m pytest tests -q -p no:cacheprovider -k gpu --maxfail=40 -rf 2>&1 | tee "$out/tests.txt" | grep -E "^(FAILED|ERROR)|passed|failed" | cut -c1-300

want upload && section "the upload before a fit's first step" &&
timeout 120 $py bench/gpu_upload.py --rows "$rows" --repeat 7 2>&1 | tee "$out/upload.txt"
if want upload && [ -d .alt/a/keras_lite ]; then
    # An earlier build beside this one (put a copy of python/keras_lite there), for a comparison in one run.
    section "the same, with the build in .alt/a"
    PYTHONPATH=$PWD/.alt/a timeout 120 $py bench/gpu_upload.py --rows "$rows" --repeat 7 2>&1 | tee "$out/upload-a.txt"
fi

want profile && section "one training step, per kernel (batch 4096)" &&
timeout 120 $py bench/gpu_large.py --profile --rows 65536 2>&1 | tee "$out/profile.txt"

if want profile && [ -d .alt/a/keras_lite ]; then
    section "one training step, per kernel, with the build in .alt/a"
    PYTHONPATH=$PWD/.alt/a timeout 120 $py bench/gpu_large.py --profile --rows 65536 2>&1 | tee "$out/profile-a.txt"
fi

want large && section "gpu-large ($rows rows)" &&
timeout 300 $py bench/gpu_large.py --rows "$rows" --cpu-steps 3 --json "$out/gpu_large.json" 2>&1 \
    | tee "$out/gpu_large.txt"
if want large && [ -d .alt/a/keras_lite ]; then
    section "gpu-large ($rows rows) with the build in .alt/a"
    PYTHONPATH=$PWD/.alt/a timeout 300 $py bench/gpu_large.py --rows "$rows" --cpu-steps 1 2>&1 | tee "$out/gpu_large-a.txt"
fi
section "done"
