// A resumable training snapshot as files: the Hugging Face checkpoint (config.json,
// model.safetensors, the tokenizer files) plus optimizer.safetensors (AdamW moments) and trainer.json
// (step, optimizer counters, the run config, the auto curriculum's level). Pure: the CLI writes them to disk, the app to
// IndexedDB or a download.

import type { RunConfig } from '../run-config.ts';
import { checkpointFromFiles, checkpointToFiles, CheckpointError, type CheckpointFiles } from '../model/checkpoint.ts';
import type { ModelConfig } from '../model/config.ts';
import { decodeSafetensors, encodeSafetensors } from '../model/safetensors.ts';
import type { Tokenizer } from '../tokenizer.ts';
import type { TrainerSnapshot } from './sft.ts';

export type SnapshotFiles = CheckpointFiles & {
  'optimizer.safetensors': Uint8Array;
  'trainer.json': string;
  /** RL checkpoints only: the frozen start policy (the KL reference). */
  'ref.safetensors'?: Uint8Array;
};

/** The RL phase's state beyond weights and moments: where it started and its reference policy. */
export interface RlState {
  rlStep: number;
  /** Optimizer updates taken in the RL phase (drives its warmup). */
  optStep: number;
  startStep: number;
  baseline: number | null;
  ref: Map<string, Float32Array>;
}

export interface TrainerJSON {
  format: 'reasonlab-trainer';
  version: 1;
  step: number;
  /** Applied optimizer updates (AdamW bias correction). */
  adam_t: number;
  config: RunConfig;
  /** 'rl' when an RL phase wrote it (absent: SFT). */
  phase?: 'sft' | 'rl';
  /** RL: the global step the RL phase started at. */
  offset?: number;
  rl?: { step: number; start_step: number; baseline: number | null; optimizer_step: number };
  /** Auto curriculum: the level trained on and the step whose evaluation last decided it. */
  curriculum?: { level: number; decided_at: number };
}

export function snapshotToFiles(snap: TrainerSnapshot & Partial<RlState>, cfg: RunConfig, model: ModelConfig, tok: Tokenizer): SnapshotFiles {
  const ck = checkpointToFiles({
    config: model,
    tokenizer: tok.toJSON(),
    params: snap.params,
    meta: { task: cfg.task.name, task_config: cfg.task.config, step: snap.step, seed: cfg.train.seed },
  });
  const opt: { name: string; shape: number[]; data: Float32Array }[] = [];
  for (const [name, m] of snap.optimizer.m) opt.push({ name: `m.${name}`, shape: [m.length], data: m });
  for (const [name, v] of snap.optimizer.v) opt.push({ name: `v.${name}`, shape: [v.length], data: v });
  const trainer: TrainerJSON = { format: 'reasonlab-trainer', version: 1, step: snap.step, adam_t: snap.optimizer.t, config: cfg };
  if (snap.curriculum) trainer.curriculum = { level: snap.curriculum.level, decided_at: snap.curriculum.decidedAt };
  const files: SnapshotFiles = { ...ck, 'optimizer.safetensors': encodeSafetensors(opt, { format: 'reasonlab-adamw' }), 'trainer.json': '' };
  if (snap.ref && snap.rlStep !== undefined && snap.startStep !== undefined) {
    Object.assign(trainer, { phase: 'rl', offset: snap.startStep, rl: { step: snap.rlStep, start_step: snap.startStep, baseline: snap.baseline ?? null, optimizer_step: snap.optStep ?? 0 } });
    files['ref.safetensors'] = encodeSafetensors([...snap.ref].map(([name, data]) => ({ name, shape: [data.length], data })), { format: 'reasonlab-rl-reference' });
  }
  files['trainer.json'] = JSON.stringify(trainer, null, 2) + '\n';
  return files;
}

export interface LoadedSnapshot {
  cfg: RunConfig;
  model: ModelConfig;
  tokenizer: ReturnType<typeof checkpointFromFiles>['tokenizer'];
  snapshot: TrainerSnapshot;
  /** Present when an RL phase wrote the checkpoint. */
  rl?: RlState;
}

/** Read a snapshot back; every problem is a CheckpointError naming the file. */
export function snapshotFromFiles(
  f: { config: string; safetensors: Uint8Array; tokenizer: string; reasonlabTokenizer?: string; optimizer: Uint8Array; trainer: string; ref?: Uint8Array },
  where: string,
): LoadedSnapshot {
  const own = f.reasonlabTokenizer;
  const ck = checkpointFromFiles({ config: f.config, safetensors: f.safetensors, tokenizer: f.tokenizer, ...(own !== undefined ? { reasonlabTokenizer: own } : {}) }, where);
  let tj: TrainerJSON;
  try {
    tj = JSON.parse(f.trainer) as TrainerJSON;
  } catch (e) {
    throw new CheckpointError(`${where}/trainer.json: not valid JSON (${(e as Error).message})`);
  }
  if (tj?.format !== 'reasonlab-trainer' || tj.version !== 1 || !Number.isInteger(tj.step) || typeof tj.config !== 'object') {
    throw new CheckpointError(`${where}/trainer.json: not a reasonlab trainer state (format, version, step, config)`);
  }
  const opt = decodeSafetensors(f.optimizer, `${where}/optimizer.safetensors`);
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [name, t] of opt.tensors) {
    if (name.startsWith('m.')) m.set(name.slice(2), t.data);
    else if (name.startsWith('v.')) v.set(name.slice(2), t.data);
  }
  for (const [name, p] of ck.params) {
    if (m.get(name)?.length !== p.length || v.get(name)?.length !== p.length) {
      throw new CheckpointError(`${where}/optimizer.safetensors: moments for ${name} are missing or of the wrong size`);
    }
  }
  const cur = tj.curriculum;
  if (cur !== undefined && !(Number.isInteger(cur?.level) && cur.level >= 0 && Number.isInteger(cur.decided_at) && cur.decided_at >= 0)) {
    throw new CheckpointError(`${where}/trainer.json: "curriculum" must be {"level": integer >= 0, "decided_at": integer >= 0}, got ${JSON.stringify(cur)}`);
  }
  let rl: RlState | undefined;
  if (tj.phase === 'rl' && tj.rl) {
    if (!f.ref) throw new CheckpointError(`${where}: an RL checkpoint needs ref.safetensors (the frozen start policy) beside trainer.json`);
    const ref = new Map<string, Float32Array>();
    for (const [name, t] of decodeSafetensors(f.ref, `${where}/ref.safetensors`).tensors) ref.set(name, t.data);
    for (const [name, p] of ck.params) {
      if (ref.get(name)?.length !== p.length) throw new CheckpointError(`${where}/ref.safetensors: ${name} is missing or of the wrong size`);
    }
    rl = { rlStep: tj.rl.step, optStep: tj.rl.optimizer_step ?? 0, startStep: tj.rl.start_step, baseline: tj.rl.baseline, ref };
  }
  return {
    cfg: tj.config,
    model: ck.config,
    tokenizer: ck.tokenizer,
    snapshot: { step: tj.step, params: ck.params, optimizer: { step: tj.step, t: tj.adam_t, m, v }, ...(cur ? { curriculum: { level: cur.level, decidedAt: cur.decided_at } } : {}) },
    ...(rl ? { rl } : {}),
  };
}
