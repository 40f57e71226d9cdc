// Node-only: provides `navigator.gpu` from the npm `webgpu` package (Dawn) so that
// @tensorflow/tfjs-backend-webgpu can run in Node. On GPU-less machines run
// `.ci/setup-webgpu.sh` once and `source .cache/webgpu/env.sh` before starting node (software
// Vulkan via Mesa lavapipe). Call installNodeWebGPU() BEFORE importing tfjs-backend-webgpu.

export type NodeWebGPUResult = { ok: true; adapter: string } | { ok: false; reason: string };

export interface NodeWebGPUOptions {
  /** Extra Dawn flags for `create()`, e.g. `['backend=vulkan']` or `['enable-dawn-features=...']`. */
  flags?: string[];
}

/** The subset of the `webgpu` package that is used here (its own d.ts types `globals` as Object). */
interface DawnModule {
  create(flags: string[]): GPU;
  globals: object;
}

/** Older Dawn builds expose requestAdapterInfo() instead of the `info` attribute. */
interface AdapterInfoSource {
  readonly info?: Partial<Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'description' | 'device'>>;
  requestAdapterInfo?: () => Promise<GPUAdapterInfo>;
}

const SETUP_HINT =
  'On a GPU-less Linux machine run `.ci/setup-webgpu.sh` once, then `source .cache/webgpu/env.sh` ' +
  'before starting node (it sets VK_DRIVER_FILES, LD_LIBRARY_PATH, XDG_RUNTIME_DIR for Mesa lavapipe).';

/** The Dawn instance is kept here too, so repeated calls reuse it. */
let installed: { gpu: GPU; adapter: string } | undefined;

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function describeAdapter(adapter: AdapterInfoSource): Promise<string> {
  let info = adapter.info;
  if (!info && typeof adapter.requestAdapterInfo === 'function') {
    try {
      info = await adapter.requestAdapterInfo();
    } catch {
      info = undefined;
    }
  }
  const parts = [info?.vendor, info?.architecture, info?.description || info?.device].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  return parts.length > 0 ? parts.join(' / ') : 'unknown adapter';
}

/**
 * Best effort when env.sh was not sourced: point the Vulkan loader at the lavapipe ICD that
 * `.ci/setup-webgpu.sh` left in .cache/webgpu/. The loader reads VK_DRIVER_FILES when Dawn
 * creates its Vulkan instance, so setting it in-process works, but LD_LIBRARY_PATH cannot be set
 * in-process, so sourcing env.sh stays the reliable way.
 */
async function pointAtCachedLavapipe(): Promise<void> {
  if (process.platform !== 'linux' || process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES) return;
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const { resolve } = await import('node:path');
  const candidates = [
    resolve(process.cwd(), '.cache/webgpu/lvp_icd.json'),
    fileURLToPath(new URL('../../.cache/webgpu/lvp_icd.json', import.meta.url)),
  ];
  const icd = candidates.find((p) => existsSync(p));
  if (icd === undefined) return;
  process.env.VK_DRIVER_FILES = icd;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
}

/** Sets `globalThis.navigator.gpu`, coping with Node >= 21 where `navigator` is a built-in getter. */
function exposeGpu(gpu: GPU): void {
  const g = globalThis as { navigator?: object };
  const current: object | undefined = g.navigator;
  if (current !== undefined && current !== null) {
    try {
      Object.defineProperty(current, 'gpu', { value: gpu, configurable: true, enumerable: true, writable: true });
      if ((current as { gpu?: unknown }).gpu === gpu) return;
    } catch {
      // not extensible: replace the whole object below
    }
  }
  const nav: Record<string, unknown> = { gpu };
  if (current) {
    for (const key of ['userAgent', 'language', 'languages', 'platform', 'hardwareConcurrency']) {
      try {
        const v: unknown = (current as Record<string, unknown>)[key];
        if (v !== undefined) nav[key] = v;
      } catch {
        // brand-checked getter; skip
      }
    }
  }
  Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true, enumerable: true, writable: true });
}

/**
 * Makes WebGPU available to tfjs in Node. Must run before `import('@tensorflow/tfjs-backend-webgpu')`
 * (that package decides at import time whether to register the 'webgpu' backend).
 * Note: while `navigator.gpu` holds the Dawn instance, node may not exit on its own; call
 * releaseNodeWebGPU() (or process.exit()) when done.
 */
export async function installNodeWebGPU(options: NodeWebGPUOptions = {}): Promise<NodeWebGPUResult> {
  const existing = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  if (existing) {
    return { ok: true, adapter: installed && installed.gpu === existing ? installed.adapter : 'navigator.gpu (pre-existing)' };
  }
  if (typeof process === 'undefined' || !process.versions?.node) {
    return { ok: false, reason: 'installNodeWebGPU() is Node-only and this runtime has no navigator.gpu' };
  }

  await pointAtCachedLavapipe();

  let dawn: DawnModule;
  try {
    const mod: unknown = await import('webgpu');
    dawn = mod as DawnModule;
  } catch (e) {
    return { ok: false, reason: `cannot load the 'webgpu' npm package (Dawn for Node): ${errorMessage(e)}` };
  }

  let gpu: GPU;
  let adapter: GPUAdapter | null;
  try {
    Object.assign(globalThis, dawn.globals);
    gpu = dawn.create(options.flags ?? []);
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { ok: false, reason: `Dawn failed to create a WebGPU adapter: ${errorMessage(e)}. ${SETUP_HINT}` };
  }
  if (!adapter) {
    const env = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
    return {
      ok: false,
      reason:
        'Dawn found no WebGPU adapter (no usable GPU or Vulkan driver' +
        (env ? `; VK_DRIVER_FILES=${env}` : '; VK_DRIVER_FILES is not set') +
        `). ${SETUP_HINT}`,
    };
  }

  const description = await describeAdapter(adapter);
  exposeGpu(gpu);
  installed = { gpu, adapter: description };
  return { ok: true, adapter: description };
}

/** Drops the reference to the Dawn instance so that node can exit (see the `webgpu` README). */
export function releaseNodeWebGPU(): void {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (installed && nav && nav.gpu === installed.gpu) {
    try {
      delete nav.gpu;
    } catch {
      // ignore: non-configurable
    }
  }
  installed = undefined;
}
