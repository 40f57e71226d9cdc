// Switch for the fused WebGPU kernels (src/model/webgpu/*): used only when tfjs runs webgpu and
// the switch is on (the default). Tests turn it off to run the plain tfjs path, the reference each
// fused kernel is declared equal to, on the same backend.

import * as tf from '@tensorflow/tfjs';

let enabled = true;

/** Turn the fused kernels on or off (for tests and benchmarks; on by default). */
export function setFusedKernels(on: boolean): void {
  enabled = on;
}

/** True when the fused WebGPU kernels should run now (checked per call: tests switch backends). */
export function useFused(): boolean {
  return enabled && tf.getBackend() === 'webgpu';
}
