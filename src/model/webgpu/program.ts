// Runs a hand-written WGSL kernel on the tfjs webgpu backend as one dispatch, through the
// backend's own runWebGPUProgram (bindings, uniforms, pipeline cache, command batching), so a
// fused kernel is an ordinary tfjs tensor afterwards. Only types are imported from
// tfjs-backend-webgpu: importing its code here would register the backend before Node provides
// navigator.gpu (backend/node-webgpu.ts).

import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** A kernel: `main(index)` runs once per thread, index in [0, threads); inputs bind as arrays. */
export interface Kernel {
  /** Unique per WGSL text (tfjs caches pipelines by this key plus ranks and dtypes). */
  key: string;
  /**
   * Input array names, bound in this order, read-only. A float32 tensor cast from int32 keeps its
   * i32 buffer on webgpu (the cast is an identity), so read such inputs through f32().
   */
  inputs: string[];
  /** Extra uniform fields, e.g. 'n : i32, eps : f32,' (set in order by `uniforms` below). */
  uniformDecl?: string;
  /** WGSL that defines `fn main(index : i32)`; writes `result[...]`. */
  wgsl: string;
  workgroup?: number;
}

export type Uniform = { type: 'int32' | 'float32'; data: number[] };

/**
 * Run `k` with `threads` threads (a multiple of the workgroup size is dispatched; main must skip
 * index >= threads itself) and return the float32 output of shape `outShape`.
 */
export function runKernel(k: Kernel, xs: tf.Tensor[], outShape: number[], threads: number, uniforms: Uniform[] = []): tf.Tensor {
  if (xs.length !== k.inputs.length) throw new Error(`kernel ${k.key}: expects ${k.inputs.length} inputs, got ${xs.length}`);
  for (const x of xs) if (x.dtype !== 'float32') throw new Error(`kernel ${k.key}: inputs must be float32, got ${x.dtype}`);
  const wg = k.workgroup ?? 64;
  const program = {
    variableNames: k.inputs,
    outputShape: outShape,
    shaderKey: k.key,
    dispatchLayout: { x: outShape.map((_, i) => i) },
    dispatch: [Math.max(1, Math.ceil(threads / wg)), 1, 1] as [number, number, number],
    workgroupSize: [wg, 1, 1] as [number, number, number],
    uniforms: k.uniformDecl,
    getUserCode: () => k.wgsl,
  };
  const backend = tf.backend() as unknown as WebGPUBackend;
  const info = backend.runWebGPUProgram(program as never, xs, 'float32', uniforms.length ? uniforms : undefined);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** WGSL helper: x is finite (bit test; WGSL compilers may assume no NaN/Inf in float compares). */
export const FINITE_WGSL = `
  fn isFiniteF(x : f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
`;
