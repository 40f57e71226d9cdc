// The bench's result types: what `runBench` (bench.ts) measures and `benchMarkdown` (markdown.ts)
// renders, kept apart so the two do not import each other.

import type { BackendName } from '../backend.ts';
import type { MachineInfo } from './machine.ts';
import type { KernelCounts, StepProfile } from './profile.ts';
import type { PytorchReport } from './torchparse.ts';

export interface TrainResult {
  id: string;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  seqLen: number;
  batch: number;
  params: number;
  /** Measured steps after warm-up (0 when skipped). */
  steps: number;
  msPerStepMedian: number;
  msPerStepMin: number;
  /** batch * seqLen / median step time. */
  tokensPerS: number;
  /** PyTorch CPU on this machine in this run (report.pytorch), null when not measured. */
  pytorchTokensPerS: number | null;
  /** tokensPerS / pytorchTokensPerS. */
  ratioToPytorch: number | null;
  /** Kernels per step by phase (tf.profile), null when skipped (kernelsSkipped says why). */
  kernels: KernelCounts | null;
  kernelsSkipped?: string;
  /** numTensors growth per step after warm-up (should be 0). */
  leakedTensorsPerStep: number;
  skipped?: string;
}

export interface SampleBenchResult {
  batch: number;
  promptLen: number;
  newTokens: number;
  model: string;
  cacheTokensPerS: number;
  noCacheTokensPerS: number;
  /** cache / no cache. */
  speedup: number;
  leakedTensorsPerCall: number;
}

/** One RL step (rollouts + verification + update) as RlTrainer.trainStep runs it. */
export interface RlBenchResult {
  config: string;
  steps: number;
  msPerStepMedian: number;
  /** Completion tokens sampled per second (median over steps). */
  sampleTokensPerS: number;
  /** Update positions (B*T) per second (median over steps). */
  updateTokensPerS: number;
  leakedTensorsPerStep: number;
}

export interface BackendResult {
  name: BackendName;
  available: boolean;
  /** Why it was not measured (unavailable, or left out). */
  reason?: string;
  adapter?: string | null;
  software?: boolean;
  /** wasm: the threads it ran on. */
  threads?: number | null;
  train: TrainResult[];
  sampling: SampleBenchResult | null;
  samplingSkipped?: string;
  rl?: RlBenchResult | null;
  /** Wall time spent on this backend. */
  seconds: number;
}

export interface BenchReport {
  date: string;
  quick: boolean;
  machine: MachineInfo;
  backends: BackendResult[];
  profile: StepProfile | null;
  /** PyTorch measured in the same run, or why not. */
  pytorch: PytorchReport;
  totalSeconds: number;
}

export interface BenchOptions {
  backends?: BackendName[];
  quick?: boolean;
  log?: (line: string) => void;
  /** Measure PyTorch in the same run when a Python with torch is found (default true; Node only). */
  torch?: boolean;
  /** torch.set_num_threads (default: the machine's core count). */
  torchThreads?: number;
}
