#!/usr/bin/env bash
# Builds the payload for the real-GPU bench (bench/gpu/device.sh) on a dev machine with the repo's
# node_modules: esbuild bundles of src/bench/gpubench.ts and the CLI (tfjs inlined), the tfjs wasm
# binaries, Dawn's dawn.node, the adapter probe and this machine's node binary (the GPU machine may
# have no node), packed as .gpubench/carry/payload.tar.xz (~30 MB); plus the Vulkan loader deb in
# .gl/ (the GPU machine may have no libvulkan). Both folders are git-ignored.
# Usage, from anywhere:  bash bench/gpu/build.sh
# Then bring the repo's tracked files plus .gpubench/carry/ and .gl/ to the GPU machine (linux-x64)
# and run `bash bench/gpu/device.sh` there from the repo root.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=.gpubench
P=$B/payload
rm -rf "$P" && mkdir -p "$P/node_modules/webgpu/dist/linux-x64" "$B/carry"

# The bundles are ESM; tfjs and Dawn's loader use require/__dirname, so a banner defines them.
# `webgpu` stays external: it loads dawn.node from its own folder, copied below.
BANNER="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __f2p } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __f2p(import.meta.url); const __dirname = __dn(__filename);"
for e in gpubench:src/bench/gpubench.ts cli:src/cli/main.ts; do
  n=${e%%:*} src=${e#*:}
  node_modules/.bin/esbuild "$src" --bundle --platform=node --format=esm --target=node20 \
    --external:webgpu --banner:js="$BANNER" --outfile="$P/$n.mjs" --log-level=warning
done
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$P/"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$P/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$P/node_modules/webgpu/dist/linux-x64/"
cp bench/gpu/probe.mjs "$P/"
cp "$(command -v node)" "$P/node"
XZ_OPT=-T0 tar -cJf "$B/carry/payload.tar.xz" -C "$P" .

# The Vulkan loader (libvulkan1, amd64) for a GPU machine whose image lacks it; device.sh unpacks it.
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p .gl
  (cd .gl && apt-get -oAPT::Architecture=amd64 download libvulkan1) ||
    echo "warning: could not download libvulkan1 into .gl/ (run apt-get update first?); the GPU machine then needs its own libvulkan" >&2
fi
ls -la "$B/carry" .gl
