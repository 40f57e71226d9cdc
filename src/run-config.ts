// The run configuration: typed data, one section per concern, defaults with meaning and unit,
// named model presets, validation with clear messages, and `--key value` overrides where unknown
// keys are rejected. Shared by the CLI, the worker and the tests.

import { PRESETS, type ModelConfig, type PresetName } from './model/config.ts';
import { taskByName as getTask } from './envs/as-task.ts';
import { ALGOS, CURRICULA, DEFAULT_OPTIM, ZERO_VAR, type Algo, type Curriculum, type OptimConfig, type ZeroVar } from './knobs.ts';
import { ConfigError, validateTaskConfig } from './tasks/registry.ts';
import { SCHEMES, type Scheme } from './tasks/rewards.ts';
import { Tokenizer } from './tokenizer.ts';

export const STAGES = ['sft', 'rl', 'sft+rl'] as const;
export type Stage = (typeof STAGES)[number];

export interface RlConfig {
  /** Advantage estimator: grpo (group mean/std), drgrpo (group mean, constant length normaliser), rloo (leave-one-out mean), reinforce (running-mean baseline). */
  algo: Algo;
  /** RL optimizer steps (one rollout batch each). */
  steps: number;
  /** Prompts per step (P). */
  prompts: number;
  /** Completions sampled per prompt (G). */
  group: number;
  /**
   * Where RL prompts come from: 0 = a fresh train-split problem for every prompt (prompts with
   * checkable answers are cheap); N = the first N distinct train problems of the seed (set it to
   * train.trainSize to reuse exactly the SFT problems).
   */
  pool: number;
  /** Sampling temperature of the rollouts; the policy is softmax(logits / temperature). */
  temperature: number;
  /** Reward scheme: binary | tinyzero | logicrl | process. */
  scheme: Scheme;
  /** Peak learning rate of the RL phase (constant after warmup). */
  lr: number;
  /** Linear warmup steps of the RL learning rate. */
  warmupSteps: number;
  /**
   * The RL phase's own AdamW settings (its learning rate is constant after warmup: see `rlOptim`).
   * Decoupled weight decay is 0 by default: it would pull the policy away from the SFT weights.
   */
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Clip the global gradient norm to this (0 = off). */
  gradClip: number;
  /** PPO ratio clip epsilon (0 = no clipping). */
  clip: number;
  /** Gradient steps on the same rollouts (PPO inner epochs; >1 makes the ratio move). */
  epochs: number;
  /** KL penalty beta to the frozen starting policy (k3 estimator; 0 = off, still measured). */
  kl: number;
  /** Entropy bonus coefficient (0 = off, entropy still measured). */
  entropy: number;
  /**
   * Groups whose completions all got the same reward: keep them in the batch (no signal), skip
   * them, or resample: replace them by groups of fresh prompts (up to 3 rounds; DAPO's dynamic sampling).
   */
  zeroVar: ZeroVar;
  /** Running-mean baseline momentum of reinforce (b <- m*b + (1-m)*mean reward). */
  baselineMomentum: number;
  /** Rotate rollouts.jsonl when it grows past this many MB (0 = do not write rollouts). */
  rolloutsMB: number;
  /**
   * What pays the rollouts: '' = the verifier under `scheme`; 'rm:PATH' = a learned reward model's
   * score (a folder written by --stage rm); 'rm:PATH+SCHEME' = that score plus the verifier's reward.
   */
  reward: string;
}

export interface RunConfig {
  /** sft: supervised fine-tuning; rl: RL from a checkpoint (or scratch); sft+rl: both, one run. */
  stage: Stage;
  task: { name: string; config: Record<string, unknown> };
  model: {
    /** nano | micro | mini | custom (custom uses the fields below as given). */
    preset: PresetName | 'custom';
    nLayer: number;
    nHead: number;
    nEmbd: number;
    /** Context length in tokens; 0 = derive from the task's longest prompt + completion. */
    blockSize: number;
  };
  train: OptimConfig & {
    /** Optimizer steps. */
    steps: number;
    /** Sequences per step. */
    batchSize: number;
    /** Distinct training problems (0 = a fresh problem for every example: unlimited data). */
    trainSize: number;
    /** Seed of everything: init, data order, sampling. */
    seed: number;
    /** Emit a step event every this many steps (the loss is read back from the device then). */
    logEvery: number;
    /** Stop after this many consecutive non-finite steps. */
    maxBadSteps: number;
    /**
     * SFT data schedule over the task's curriculum levels (src/train/curriculum.ts): off = the task
     * config only; auto = start at the easiest level, move up one level at an evaluation when the
     * held-out fully-right accuracy at the current level reaches curriculumThreshold; mixed = each
     * example from a level drawn uniformly. Evaluation rows stay on the task config itself.
     */
    curriculum: Curriculum;
    /** auto: fully-right held-out accuracy at the current level that moves up one level (0 = at every evaluation). */
    curriculumThreshold: number;
  };
  eval: {
    /** Evaluate every this many steps (0 = only at the end). */
    every: number;
    /** Held-out test problems per evaluation. */
    n: number;
    /** Temperature of the sampled accuracy. */
    temperature: number;
    /** Top-k of the sampled accuracy (0 = off). */
    topK: number;
    /** Samples (greedy) reported per evaluation. */
    samples: number;
    /** pass@k values to report, e.g. "1,4,16" ("" = off). Sampled at eval.temperature. */
    passk: string;
    /** Samples per problem for pass@k (0 = the largest k); must be >= the largest k. */
    passkN: number;
  };
  rl: RlConfig;
}

export const DEFAULT_RL: RlConfig = {
  algo: 'grpo',
  steps: 200,
  prompts: 16,
  group: 8,
  pool: 0,
  temperature: 1.0,
  scheme: 'binary',
  lr: 1e-4,
  warmupSteps: 10,
  weightDecay: 0,
  beta1: DEFAULT_OPTIM.beta1,
  beta2: DEFAULT_OPTIM.beta2,
  eps: DEFAULT_OPTIM.eps,
  gradClip: DEFAULT_OPTIM.gradClip,
  clip: 0.2,
  epochs: 1,
  kl: 0,
  entropy: 0,
  zeroVar: 'keep',
  baselineMomentum: 0.9,
  rolloutsMB: 64,
  reward: '',
};

/** The RL phase's optimizer: constant learning rate after a linear warmup, its own AdamW settings. */
export function rlOptim(r: RlConfig): OptimConfig {
  const { lr, warmupSteps, weightDecay, beta1, beta2, eps, gradClip } = r;
  return { lr, minLr: lr, warmupSteps, totalSteps: Math.max(r.steps, 1), weightDecay, beta1, beta2, eps, gradClip };
}

export const DEFAULT_CONFIG: RunConfig = {
  stage: 'sft',
  task: { name: 'addition', config: {} },
  model: { preset: 'micro', ...PRESETS.micro, blockSize: 0 },
  train: { ...DEFAULT_OPTIM, steps: 1000, batchSize: 32, trainSize: 0, seed: 1, logEvery: 10, maxBadSteps: 20, curriculum: 'off', curriculumThreshold: 0.9 },
  eval: { every: 250, n: 200, temperature: 0.8, topK: 0, samples: 4, passk: '', passkN: 0 },
  rl: DEFAULT_RL,
};

const SECTIONS = ['model', 'train', 'eval', 'rl'] as const;

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/**
 * A copy of `cfg` with settings it lacks taken from the defaults: configs saved before a section
 * existed (checkpoints of older runs) stay loadable.
 */
export function withDefaults(cfg: RunConfig): RunConfig {
  const c = clone(cfg) as Partial<RunConfig>;
  const d = clone(DEFAULT_CONFIG);
  return {
    ...d,
    ...c,
    stage: c.stage ?? d.stage,
    task: c.task ?? d.task,
    model: { ...d.model, ...c.model },
    train: { ...d.train, ...c.train },
    eval: { ...d.eval, ...c.eval },
    rl: { ...d.rl, ...c.rl },
  };
}

/** Parse a CLI string into the type of the default it replaces. */
function coerce(key: string, raw: unknown, like: unknown): unknown {
  if (typeof like === 'number') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isFinite(n)) throw new ConfigError(`--${key}: expected a number, got ${JSON.stringify(raw)}`);
    return n;
  }
  if (typeof like === 'boolean') {
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    throw new ConfigError(`--${key}: expected true or false, got ${JSON.stringify(raw)}`);
  }
  return String(raw);
}

/**
 * Apply overrides such as {"lr": "1e-3", "model.nLayer": "2", "digits": "2", "preset": "nano"}.
 * Bare keys resolve to the one section that has them; task knobs resolve to the task config.
 */
export function applyOverrides(base: RunConfig, overrides: Record<string, unknown>): RunConfig {
  const cfg = withDefaults(base);
  const taskOverrides: Record<string, unknown> = {};
  const entries = Object.entries(overrides);
  // The task and preset go first: they decide what the other keys mean.
  for (const [k, v] of entries) {
    if (k === 'task' || k === 'task.name') cfg.task = { name: String(v), config: k === 'task' && cfg.task.name !== String(v) ? {} : cfg.task.config };
  }
  for (const [k, v] of entries) {
    if (k !== 'stage') continue;
    const st = String(v);
    if (!(STAGES as readonly string[]).includes(st)) throw new ConfigError(`--stage: unknown stage "${st}" (known: ${STAGES.join(', ')})`);
    cfg.stage = st as Stage;
  }
  for (const [k, v] of entries) {
    if (k === 'preset' || k === 'model.preset') {
      const name = String(v);
      if (name !== 'custom' && !(name in PRESETS)) throw new ConfigError(`--preset: unknown preset "${name}" (known: ${Object.keys(PRESETS).join(', ')}, custom)`);
      cfg.model.preset = name as PresetName | 'custom';
      if (name !== 'custom') Object.assign(cfg.model, PRESETS[name as PresetName]);
    }
  }
  const task = getTask(cfg.task.name);
  for (const [k, v] of entries) {
    if (['task', 'task.name', 'preset', 'model.preset', 'stage'].includes(k)) continue;
    const [head, ...rest] = k.split('.');
    if (head === 'task' && rest.length === 1) {
      taskOverrides[rest[0]!] = v;
      continue;
    }
    let section: (typeof SECTIONS)[number] | undefined;
    let leaf = k;
    if (rest.length === 1 && (SECTIONS as readonly string[]).includes(head!)) {
      section = head as (typeof SECTIONS)[number];
      leaf = rest[0]!;
    } else if (rest.length === 0) {
      let owners = SECTIONS.filter((s) => Object.prototype.hasOwnProperty.call(cfg[s], k));
      // A bare key the RL section shares (steps, lr, temperature, ...) means the phase being run:
      // the RL one for --stage rl, otherwise the SFT/eval one (say --rl.KEY for the other).
      if (owners.length > 1 && owners.includes('rl')) owners = cfg.stage === 'rl' ? ['rl'] : owners.filter((o) => o !== 'rl');
      if (owners.length > 1) throw new ConfigError(`--${k} is ambiguous: say ${owners.map((o) => `--${o}.${k}`).join(' or ')}`);
      section = owners[0];
      if (!section && Object.prototype.hasOwnProperty.call(task.defaults, k)) {
        taskOverrides[k] = v;
        continue;
      }
    }
    const target = section ? (cfg[section] as unknown as Record<string, unknown>) : undefined;
    if (!target || !Object.prototype.hasOwnProperty.call(target, leaf)) {
      throw new ConfigError(`unknown setting --${k} (see \`reasonlab train --help\` for the settings)`);
    }
    target[leaf] = coerce(k, v, target[leaf]);
    if (section === 'model' && leaf !== 'blockSize') cfg.model.preset = 'custom';
  }
  cfg.task.config = validateTaskConfig(task, { ...cfg.task.config, ...taskOverrides });
  return validateRunConfig(cfg);
}

function need(cond: boolean, msg: string): void {
  if (!cond) throw new ConfigError(msg);
}

export function validateRunConfig(cfg: RunConfig): RunConfig {
  cfg.task.config = validateTaskConfig(getTask(cfg.task.name), cfg.task.config);
  const t = cfg.train;
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  need(int(t.steps, 0), `train.steps must be an integer >= 0, got ${t.steps}`);
  need(int(t.batchSize, 1) && t.batchSize <= 4096, `train.batchSize must be an integer in [1, 4096], got ${t.batchSize}`);
  need(int(t.trainSize, 0), `train.trainSize must be an integer >= 0, got ${t.trainSize}`);
  need(Number.isInteger(t.seed), `train.seed must be an integer, got ${t.seed}`);
  need(t.lr > 0 && t.lr < 10, `train.lr must be in (0, 10), got ${t.lr}`);
  need(t.minLr >= 0 && t.minLr <= t.lr, `train.minLr must be in [0, lr], got ${t.minLr}`);
  need(int(t.warmupSteps, 0), `train.warmupSteps must be an integer >= 0, got ${t.warmupSteps}`);
  need(t.weightDecay >= 0 && t.weightDecay < 1, `train.weightDecay must be in [0, 1), got ${t.weightDecay}`);
  need(t.beta1 >= 0 && t.beta1 < 1 && t.beta2 >= 0 && t.beta2 < 1, 'train.beta1 and train.beta2 must be in [0, 1)');
  need(t.gradClip >= 0, `train.gradClip must be >= 0, got ${t.gradClip}`);
  need(int(t.logEvery, 1), `train.logEvery must be an integer >= 1, got ${t.logEvery}`);
  need(int(t.maxBadSteps, 1), `train.maxBadSteps must be an integer >= 1, got ${t.maxBadSteps}`);
  need((CURRICULA as readonly string[]).includes(t.curriculum), `train.curriculum must be one of ${CURRICULA.join(', ')}, got ${JSON.stringify(t.curriculum)}`);
  need(
    typeof t.curriculumThreshold === 'number' && t.curriculumThreshold >= 0 && t.curriculumThreshold <= 1,
    `train.curriculumThreshold must be in [0, 1] (the fully-right held-out accuracy at the current level that moves up one level), got ${t.curriculumThreshold}`,
  );
  const e = cfg.eval;
  need(t.curriculum !== 'auto' || e.every > 0, `train.curriculum auto moves up at evaluations, so it needs eval.every > 0 (got ${e.every}): set --eval.every N`);
  need(t.curriculum !== 'auto' || e.n > 0, `train.curriculum auto moves up on held-out accuracy, so it needs eval.n > 0 (got ${e.n})`);
  need(int(e.every, 0), `eval.every must be an integer >= 0, got ${e.every}`);
  need(int(e.n, 0), `eval.n must be an integer >= 0, got ${e.n}`);
  need(e.temperature > 0 && e.temperature <= 10, `eval.temperature must be in (0, 10], got ${e.temperature}`);
  need(int(e.topK, 0), `eval.topK must be an integer >= 0, got ${e.topK}`);
  need(int(e.samples, 0), `eval.samples must be an integer >= 0, got ${e.samples}`);
  need(int(e.passkN, 0) && e.passkN <= 1024, `eval.passkN must be an integer in [0, 1024], got ${e.passkN}`);
  const ks = parsePassK(e.passk);
  need(e.passkN === 0 || ks.length === 0 || e.passkN >= Math.max(...ks), `eval.passkN (${e.passkN}) must be >= the largest k in eval.passk (${e.passk})`);
  need((STAGES as readonly string[]).includes(cfg.stage), `stage must be one of ${STAGES.join(', ')}, got ${String(cfg.stage)}`);
  const r = cfg.rl;
  need((ALGOS as readonly string[]).includes(r.algo), `rl.algo must be one of ${ALGOS.join(', ')}, got ${String(r.algo)}`);
  need(int(r.steps, 0), `rl.steps must be an integer >= 0, got ${r.steps}`);
  need(int(r.prompts, 1) && r.prompts <= 1024, `rl.prompts must be an integer in [1, 1024], got ${r.prompts}`);
  need(int(r.group, 1) && r.group <= 256, `rl.group must be an integer in [1, 256], got ${r.group}`);
  need(int(r.pool, 0), `rl.pool must be an integer >= 0, got ${r.pool}`);
  need(r.algo !== 'rloo' || r.group >= 2, `rl.algo rloo needs rl.group >= 2 (a leave-one-out mean), got ${r.group}`);
  need(r.temperature > 0 && r.temperature <= 10, `rl.temperature must be in (0, 10], got ${r.temperature}`);
  need((SCHEMES as readonly string[]).includes(r.scheme), `rl.scheme must be one of ${SCHEMES.join(', ')}, got ${r.scheme}`);
  need(r.lr > 0 && r.lr < 10, `rl.lr must be in (0, 10), got ${r.lr}`);
  need(int(r.warmupSteps, 0), `rl.warmupSteps must be an integer >= 0, got ${r.warmupSteps}`);
  need(r.weightDecay >= 0 && r.weightDecay < 1, `rl.weightDecay must be in [0, 1), got ${r.weightDecay}`);
  need(r.beta1 >= 0 && r.beta1 < 1 && r.beta2 >= 0 && r.beta2 < 1, 'rl.beta1 and rl.beta2 must be in [0, 1)');
  need(r.eps > 0, `rl.eps must be > 0, got ${r.eps}`);
  need(r.gradClip >= 0, `rl.gradClip must be >= 0, got ${r.gradClip}`);
  need(r.clip >= 0 && r.clip < 1, `rl.clip must be in [0, 1), got ${r.clip}`);
  need(int(r.epochs, 1) && r.epochs <= 16, `rl.epochs must be an integer in [1, 16], got ${r.epochs}`);
  need(r.kl >= 0 && r.kl <= 10, `rl.kl must be in [0, 10], got ${r.kl}`);
  need(r.entropy >= 0 && r.entropy <= 1, `rl.entropy must be in [0, 1], got ${r.entropy}`);
  need((ZERO_VAR as readonly string[]).includes(r.zeroVar), `rl.zeroVar must be one of ${ZERO_VAR.join(', ')}, got ${r.zeroVar}`);
  need(r.baselineMomentum >= 0 && r.baselineMomentum < 1, `rl.baselineMomentum must be in [0, 1), got ${r.baselineMomentum}`);
  need(r.rolloutsMB >= 0, `rl.rolloutsMB must be >= 0, got ${r.rolloutsMB}`);
  const rw = parseRewardSpec(r.reward);
  need(!rw?.scheme || rw.scheme === r.scheme, `rl.reward ${r.reward} adds the verifier's ${rw?.scheme} reward, but rl.scheme is ${r.scheme}: set --rl.scheme ${rw?.scheme} or drop the +${rw?.scheme}`);
  const m = cfg.model;
  for (const k of ['nLayer', 'nHead', 'nEmbd'] as const) need(int(m[k], 1) && m[k] <= 4096, `model.${k} must be an integer in [1, 4096], got ${m[k]}`);
  need(m.nEmbd % m.nHead === 0, `model.nEmbd (${m.nEmbd}) must be divisible by model.nHead (${m.nHead})`);
  need(int(m.blockSize, 0) && m.blockSize <= 8192, `model.blockSize must be an integer in [0, 8192], got ${m.blockSize}`);
  const need_ = sequenceLength(cfg);
  need(m.blockSize === 0 || m.blockSize >= need_, `model.blockSize ${m.blockSize} is too short for task ${cfg.task.name}: it needs ${need_} tokens`);
  return cfg;
}

/**
 * rl.reward: '' -> null (the verifier pays); 'rm:PATH' -> the reward model at PATH; 'rm:PATH+SCHEME'
 * -> its score plus the verifier's reward under SCHEME. ConfigError on anything else.
 */
export function parseRewardSpec(s: string): { rm: string; scheme: Scheme | null } | null {
  if (s === '') return null;
  if (!s.startsWith('rm:') || s.length === 3) throw new ConfigError(`rl.reward must be empty (the verifier), rm:PATH (a reward model folder from --stage rm) or rm:PATH+SCHEME (SCHEME one of ${SCHEMES.join(', ')}), got "${s}"`);
  const plus = s.lastIndexOf('+');
  const tail = plus > 3 ? s.slice(plus + 1) : '';
  if ((SCHEMES as readonly string[]).includes(tail)) return { rm: s.slice(3, plus), scheme: tail as Scheme };
  return { rm: s.slice(3), scheme: null };
}

/** "1,4,16" -> [1, 4, 16] (sorted, distinct); "" -> []. ConfigError on anything else. */
export function parsePassK(s: string): number[] {
  if (s.trim() === '') return [];
  const ks = s.split(',').map((x) => Number(x.trim()));
  for (const k of ks) if (!Number.isInteger(k) || k < 1 || k > 1024) throw new ConfigError(`eval.passk: expected a comma-separated list of integers in [1, 1024], got "${s}"`);
  return [...new Set(ks)].sort((a, b) => a - b);
}

/** Positions a training sequence needs: <bos> + prompt + completion + <eos>, minus one (shifted). */
export function sequenceLength(cfg: RunConfig): number {
  const task = getTask(cfg.task.name);
  const tc = validateTaskConfig(task, cfg.task.config);
  return 1 + task.maxPromptLength(tc) + task.maxCompletionLength(tc);
}

/** The model config a run uses (blockSize derived from the task when 0, rounded up to 8). */
export function modelConfigOf(cfg: RunConfig, tok: Tokenizer = new Tokenizer()): ModelConfig {
  const T = cfg.model.blockSize || Math.ceil(sequenceLength(cfg) / 8) * 8;
  return { nLayer: cfg.model.nLayer, nHead: cfg.model.nHead, nEmbd: cfg.model.nEmbd, blockSize: T, vocabSize: tok.vocabSize };
}
