#!/usr/bin/env bash
# The real-GPU bench in one script (docs/BENCHMARKS.md "Real GPU"): Vulkan loader, Dawn adapter
# probe, tfjs webgpu and wasm training steps (src/bench/gpubench.ts: ms/step, tokens/s, GPU
# dispatches per step), the PyTorch reference (bench/reference_torch.py: CUDA, CPU 16 and 1 threads)
# and the project's own `reasonlab bench --backends webgpu`, all on the same machine.
# Needs: the repo's tracked files plus .gpubench/carry/ and .gl/ from `bash bench/gpu/build.sh`, and
# python3 with torch on the GPU machine. Run from the repo root (about 90 s on an H200):
#   OUT=results bash bench/gpu/device.sh 2>&1 | tee log.txt
# OUT (default .gpubench/out) gets the JSON/markdown; LOCAL=1 skips nvidia-smi and the Vulkan loader
# (for a dry run on a dev machine, e.g. lavapipe after `source .cache/webgpu/env.sh`).
set -u
[ -f bench/gpu/device.sh ] || { echo "run this from the repo root (bench/gpu/device.sh not found in $(pwd))"; exit 2; }
[ -f .gpubench/carry/payload.tar.xz ] || { echo ".gpubench/carry/payload.tar.xz is missing: run bash bench/gpu/build.sh and bring .gpubench/carry along"; exit 2; }
R=$(pwd)
G=$R/.gpubench/unpacked
OUT=${OUT:-.gpubench/out}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
CONFIGS=${CONFIGS:-nano,micro,ref-2x64,ref-4x128}
T0=$(date +%s)
el() { echo "[t+$(( $(date +%s) - T0 ))s] $*"; }
quiet() { grep -v 'artificially reduced'; } # Dawn's warning about limits tfjs lowers on purpose

el "== machine"
uname -a; nproc; free -g | head -2; (lscpu | grep -m1 'Model name') || true
if [ -z "${LOCAL:-}" ]; then
  nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv || true
  el "== vulkan loader"
  if ldconfig -p | grep -q 'libvulkan.so.1'; then echo "libvulkan present"
  else
    echo "no libvulkan: unpacking .gl/*.deb"
    for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
  fi
  ldconfig -p | grep -E 'libvulkan|libGLX_nvidia' | head
  for j in /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/nvidia/share/vulkan/icd.d/*.json; do [ -f "$j" ] && { echo "--- $j"; cat "$j"; }; done
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}

el "== unpack payload"
rm -rf "$G" && mkdir -p "$G"
# python's tarfile, not tar: a minimal image may lack xz.
python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" .gpubench/carry/payload.tar.xz "$G" || { echo "UNPACK FAILED"; exit 1; }
N=$G/node
echo "system node: $(command -v node && node --version)"; echo "carried node: $($N --version)"

el "== Dawn adapter probe"
(cd "$G" && timeout 60 "$N" probe.mjs 2>&1 | quiet)
if [ -z "${LOCAL:-}" ] && ! (cd "$G" && timeout 60 "$N" probe.mjs 2>/dev/null | grep -qi 'vendor=nvidia'); then
  NV=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  echo "no NVIDIA adapter by default; retrying with VK_DRIVER_FILES=$NV and loader debug"
  export VK_DRIVER_FILES=$NV __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  (cd "$G" && VK_LOADER_DEBUG=error,warn timeout 60 "$N" probe.mjs 2>&1 | quiet | head -60)
fi

el "== tfjs webgpu (Dawn/Vulkan)"
timeout "${WG_TIMEOUT:-140}" "$N" "$G/gpubench.mjs" --backends webgpu --configs "$CONFIGS" --warmup 3 --steps 30 --budget 10 --profile 1 --out "$OUT" 2>&1 | quiet
el "webgpu rc=${PIPESTATUS[0]}"

el "== PyTorch reference"
PYTHONUNBUFFERED=1 timeout "${PT_TIMEOUT:-100}" python3 bench/reference_torch.py --out "$OUT" --devices "${TORCH_DEVICES:-cuda,cpu16,cpu1}" --configs "$CONFIGS" --steps 40 --budget 4 --warmup 5 2>&1
el "torch rc=$?"

el "== tfjs wasm"
timeout "${WASM_TIMEOUT:-80}" "$N" "$G/gpubench.mjs" --backends wasm --configs "$CONFIGS" --warmup 2 --steps 20 --budget 6 --profile 0 --out "$OUT" 2>&1
el "wasm rc=$?"

el "== reasonlab bench --backends webgpu (the project's own tables: training, sampling, RL, profile)"
(cd "$G" && timeout "${CLI_TIMEOUT:-60}" "$N" cli.mjs bench --backends webgpu --append none --json > "$OUT/cli-webgpu.json") 2>&1 | quiet
el "cli rc=${PIPESTATUS[0]}"
el "== done"
ls -la "$OUT"
