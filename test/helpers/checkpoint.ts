// A stored checkpoint of a freshly initialised model, as the worker's run store holds one: the
// start point of the Rate panel's pair sampler and of DPO in the worker tests.

import type { RunConfig } from '../../src/run-config.ts';
import { Trainer } from '../../src/train/sft.ts';
import { snapshotToFiles } from '../../src/train/snapshot.ts';
import type { StoredCheckpoint } from '../../src/worker/store.ts';

export async function freshCheckpoint(cfg: RunConfig, runId = 'run-a'): Promise<StoredCheckpoint> {
  const t = new Trainer(cfg);
  try {
    return { runId, step: 0, phase: 'sft', offset: 0, files: snapshotToFiles(await t.snapshot(), cfg, t.model, t.tok) };
  } finally {
    t.dispose();
  }
}
