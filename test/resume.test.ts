// Resuming from a snapshot continues the exact run: the same losses as an uninterrupted run on
// the cpu backend (batches are a pure function of seed and step; optimizer state is saved).

import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend.ts';
import { applyOverrides, DEFAULT_CONFIG } from '../src/run-config.ts';
import type { StepEvent, TrainEvent } from '../src/train/events.ts';
import { Trainer } from '../src/train/sft.ts';
import { snapshotFromFiles, snapshotToFiles } from '../src/train/snapshot.ts';
import { Tokenizer } from '../src/tokenizer.ts';

const cfg = applyOverrides(DEFAULT_CONFIG, {
  task: 'addition', digits: 1, nLayer: 1, nHead: 2, nEmbd: 16, steps: 12, batchSize: 4, logEvery: 1, warmupSteps: 2, 'eval.every': 0, 'eval.n': 4, 'eval.samples': 0,
});

const losses = (ev: TrainEvent[]) => ev.filter((e): e is StepEvent => e.type === 'step').map((e) => [e.step, e.loss]);

describe('resume', () => {
  it('stop at step 6, save, load, continue = the uninterrupted run', async () => {
    await initBackend('cpu');
    const full: TrainEvent[] = [];
    const a = new Trainer(cfg);
    await a.run((e) => void full.push(e));
    a.dispose();

    const part: TrainEvent[] = [];
    const b = new Trainer(cfg);
    const ctl = new AbortController();
    await b.run((e) => {
      part.push(e);
      if (e.type === 'step' && e.step === 6) ctl.abort();
    }, { signal: ctl.signal });
    expect(b.step).toBe(6);
    const files = snapshotToFiles(await b.snapshot(), cfg, b.model, b.tok);
    b.dispose();
    const loaded = snapshotFromFiles(
      { config: files['config.json'], safetensors: files['model.safetensors'], tokenizer: files['tokenizer.json'], optimizer: files['optimizer.safetensors'], trainer: files['trainer.json'] },
      'mem',
    );
    const c = new Trainer(loaded.cfg, { snapshot: loaded.snapshot, tokenizer: Tokenizer.fromJSON(loaded.tokenizer) });
    expect(c.step).toBe(6);
    await c.run((e) => void part.push(e));
    c.dispose();
    expect(losses(part)).toEqual(losses(full));
  });
});
