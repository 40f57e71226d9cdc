// Pairs for the Rate panel: two completions per prompt from a run's newest saved checkpoint, at a
// temperature, each verified (the verdicts go into the record, never onto the rater's screen).
// Prompts are train-split problems of the run's task from a rating stream of its own (seed derived
// from the run's seed), numbered n = 0, 1, ...: `provenance` names seed, split and index, so every
// pair's problem can be drawn again. The loaded weights are kept until the run saves a newer
// checkpoint, so a sitting of ratings loads them once.

import * as tf from '@tensorflow/tfjs';
import { withDefaults } from '../run-config.ts';
import { encodePrompt } from '../data/batch.ts';
import { problemAt } from '../data/split.ts';
import { disposeParams, makeParams } from '../model/gpt.ts';
import { shownOrder, type RatePair } from '../records/human.ts';
import type { PairSource } from '../records/raters.ts';
import { hashInts, Rng } from '../rng.ts';
import { TASKS, validateTaskConfig } from '../tasks/registry.ts';
import type { AnyTask } from '../tasks/types.ts';
import { Tokenizer } from '../tokenizer.ts';
import { sampleAndVerify, type Policy } from '../train/generate.ts';
import { snapshotFromFiles } from '../train/snapshot.ts';
import type { RunStore } from './store.ts';
import { snapshotInputs } from './zip.ts';

/** Salt of the rating stream's seed: rated prompts are their own draws, not the SFT batches'. */
const RATE_SALT = 0x7261;
export const MAX_PAIRS_PER_CALL = 16;

interface Loaded extends Policy {
  runId: string;
  step: number;
  runName: string;
  task: AnyTask;
  taskCfg: Record<string, unknown>;
  seed: number;
}

export class PairSampler {
  private cur: Loaded | null = null;

  /** The run's policy at its newest saved checkpoint (loaded once per checkpoint step). */
  private async policy(store: RunStore, runId: string): Promise<Loaded> {
    const summary = await store.get(runId);
    if (!summary) throw new Error(`run ${runId} is not stored (deleted?): pick a run in the Runs list`);
    if (this.cur?.runId === runId && this.cur.step === summary.savedStep) return this.cur;
    const ck = await store.getCheckpoint(runId);
    if (!ck) throw new Error('this run has no saved checkpoint yet to sample from: pause it (a pause saves one) or wait for the next save (every 50 steps)');
    const loaded = snapshotFromFiles(snapshotInputs(ck.files), summary.name);
    const cfg = withDefaults(loaded.cfg);
    const task = TASKS[cfg.task.name];
    if (!task) throw new Error(`rating needs a single-turn task; ${cfg.task.name} is an environment (multi-turn), which the Rate panel does not sample yet`);
    const taskCfg = validateTaskConfig(task, cfg.task.config);
    this.dispose();
    // tidy: makeParams leaves each variable's initial tensor handle behind (it shares the
    // variable's data), which would keep every replaced checkpoint's weights alive.
    const params = tf.tidy(() => makeParams(loaded.model, loaded.snapshot.params));
    this.cur = { runId, step: ck.step, runName: summary.name, params, model: loaded.model, tok: Tokenizer.fromJSON(loaded.tokenizer), task, taskCfg, seed: hashInts(cfg.train.seed, RATE_SALT) };
    return this.cur;
  }

  /**
   * Pairs number `from` .. `from + count - 1` of the run's rating stream: two completions of each
   * prompt at `temperature`, sampled as one batch (noise from Rng(hash(seed, from, count))).
   */
  async sample(store: RunStore, runId: string, from: number, count: number, temperature: number): Promise<RatePair[]> {
    if (!Number.isInteger(from) || from < 0) throw new Error(`pair number must be a whole number >= 0, got ${from}`);
    if (!Number.isInteger(count) || count < 1 || count > MAX_PAIRS_PER_CALL) throw new Error(`ask for 1 to ${MAX_PAIRS_PER_CALL} pairs at a time, got ${count}`);
    if (!(Number.isFinite(temperature) && temperature > 0 && temperature <= 5)) {
      throw new Error(`temperature must be in (0, 5] (0 is greedy: both completions would be the same), got ${temperature}`);
    }
    const p = await this.policy(store, runId);
    const problems: unknown[] = [];
    const prompts: string[] = [];
    for (let n = from; n < from + count; n++) {
      const prob = problemAt(p.task, p.taskCfg, p.seed, 'train', n);
      problems.push(prob, prob);
      const text = p.task.prompt(prob, p.taskCfg) as string;
      prompts.push(text, text);
    }
    const rng = new Rng(hashInts(p.seed, from, count));
    const c = await sampleAndVerify(p, p.task, p.taskCfg, problems, prompts.map((t) => encodePrompt(p.tok, t)), { temperature, topK: 0, rng });
    const out: RatePair[] = [];
    for (let i = 0; i < count; i++) {
      const n = from + i;
      const source: PairSource = {
        id: `${runId}:step${p.step}:t${temperature}:n${n}`,
        n,
        task: p.task.name,
        task_version: p.task.version,
        difficulty: p.taskCfg,
        problem: problems[2 * i],
        prompt: prompts[2 * i]!,
        a: { completion: c.texts[2 * i]!, verdict: c.verdicts[2 * i]! },
        b: { completion: c.texts[2 * i + 1]!, verdict: c.verdicts[2 * i + 1]! },
      };
      const provenance = { run: p.runName, step: p.step, checkpoint: `app:${runId}@step${p.step}`, temperature, seed: p.seed, split: 'train' as const, index: n };
      out.push({ source, shownFirst: shownOrder(p.seed, n), provenance });
    }
    return out;
  }

  dispose(): void {
    if (this.cur) disposeParams(this.cur.params);
    this.cur = null;
  }
}
