// Datasets in the app: an uploaded JSONL of records (validated with src/records, every problem
// reported as file:line), the shipped datasets (datasets/TASK/SPLIT.jsonl, fetched on demand),
// and the generator. `DatasetTrainer` is the SFT Trainer drawing its batches from uploaded
// records instead of the generator, still a pure function of (seed, step).

import { modelConfigOf, type RunConfig } from '../run-config.ts';
import type { Example } from '../data/batch.ts';
import { parseJsonl, UNKNOWN_FORM, type Row } from '../records/jsonl.ts';
import { ConfigError } from '../tasks/registry.ts';
import { generateRecord, RecordError, toTRL } from '../records/record.ts';
import { generateTrajectory } from '../records/trajectory.ts';
import { getEnv, isEnvName } from '../envs/registry.ts';
import { hashInts, Rng } from '../rng.ts';
import { Tokenizer } from '../tokenizer.ts';
import { Trainer } from '../train/sft.ts';
import type { BrowsedRecord } from './protocol.ts';

export interface Dataset {
  name: string;
  task: string | null;
  examples: Example[];
  browse: BrowsedRecord[];
  /** The original text, stored with runs that train on it (so they can resume after a reload). */
  text: string;
}

/**
 * Parse and check an upload against the run config: records of another task, characters outside
 * the vocabulary, or sequences longer than the model's context are errors naming the line.
 */
export function parseDataset(text: string, file: string, cfg: RunConfig): Dataset {
  const { rows } = parseWithExample(text, file, cfg);
  if (!rows.length) throw new RecordError(`${file}: no records (the file is empty)`);
  const tok = new Tokenizer();
  const T = modelConfigOf(cfg, tok).blockSize;
  const examples: Example[] = [];
  const browse: BrowsedRecord[] = [];
  let task: string | null = null;
  for (const r of rows) {
    const where = `${file}:${r.line}`;
    if (r.kind === 'record') {
      const rec = r.record;
      if (rec.task !== cfg.task.name) throw new RecordError(`${where}: record of task "${rec.task}", but the run's task is "${cfg.task.name}" (pick that task first)`);
      task = rec.task;
    }
    const ex = r.kind === 'record' ? toTRL(r.record) : r.pair;
    if (browse.length < 2000) browse.push(browsed(r, `upload:${r.line}`));
    let need: number;
    try {
      need = tok.encode(ex.prompt).length + tok.encode(ex.completion).length + 1;
    } catch (e) {
      throw new RecordError(`${where}: ${(e as Error).message}`);
    }
    if (need > T) throw new RecordError(`${where}: needs ${need} positions, more than the model's context of ${T} (raise model.blockSize or pick harder task settings)`);
    examples.push(ex);
  }
  return { name: file, task, examples, browse, text };
}

/** parseJsonl; a line of neither accepted form gets a real example line of the run's task. */
function parseWithExample(text: string, file: string, cfg: RunConfig) {
  try {
    return parseJsonl(text, file);
  } catch (e) {
    if (!(e instanceof RecordError) || !e.message.includes(UNKNOWN_FORM)) throw e;
    const ex = toTRL(generateRecord(cfg.task.name, cfg.task.config, cfg.train.seed, 'train', 0));
    throw new RecordError(`${e.message}, one JSON object per line, for example: ${JSON.stringify(ex)}`);
  }
}

/** A parsed line for the explorer: a record's completion (the gold one when it has none), or a pair. */
function browsed(r: Row, source: string): BrowsedRecord {
  return r.kind === 'record' ? { id: r.record.id, ...toTRL(r.record), verdict: r.record.verdict, source } : { id: `line ${r.line}`, ...r.pair, verdict: null, source };
}

/** SFT on a fixed list of examples: step s draws its batch with Rng(seed, 2, s), like trainSize > 0. */
export class DatasetTrainer extends Trainer {
  constructor(
    cfg: RunConfig,
    private readonly examples: Example[],
    init?: ConstructorParameters<typeof Trainer>[1],
  ) {
    // A curriculum draws each level's problems from the generator; a dataset has no levels.
    if (cfg.train.curriculum !== 'off') throw new ConfigError(`curriculum ${cfg.train.curriculum} draws problems from the generator at each level: set curriculum to off to train on a dataset`);
    super(cfg, init);
  }

  override batchExamples(step: number): Example[] {
    const rng = new Rng(hashInts(this.cfg.train.seed, 2, step));
    const out: Example[] = [];
    for (let b = 0; b < this.cfg.train.batchSize; b++) out.push(this.examples[rng.int(this.examples.length)]!);
    return out;
  }
}

/** Records of the generator for the current task settings. */
export function generatedRecords(cfg: RunConfig, split: 'train' | 'val' | 'test', offset: number, limit: number): BrowsedRecord[] {
  const out: BrowsedRecord[] = [];
  if (isEnvName(cfg.task.name)) {
    // An environment's generator gives gold trajectories, shown turn by turn.
    const env = getEnv(cfg.task.name);
    const tags = { actionEnds: [...env.actionEnds], envTags: [...env.envTags] };
    for (let i = offset; i < offset + limit; i++) {
      const r = generateTrajectory(cfg.task.name, cfg.task.config, cfg.train.seed, split, i);
      out.push({ id: r.id, prompt: r.turns[0]!.text, completion: r.turns.slice(1).map((t) => t.text).join(''), verdict: r.verdict, source: 'generated', turns: r.turns, tags });
    }
    return out;
  }
  for (let i = offset; i < offset + limit; i++) {
    const r = generateRecord(cfg.task.name, cfg.task.config, cfg.train.seed, split, i);
    out.push({ id: r.id, prompt: r.prompt, completion: r.completion ?? '', verdict: r.verdict, source: 'generated' });
  }
  return out;
}

// The shipped datasets, as URLs Vite serves (dev) or emits (build); fetched only when browsed.
const SHIPPED = import.meta.glob('../../datasets/*/*.jsonl', { query: '?url', import: 'default' }) as Record<string, () => Promise<string>>;

/** A shipped file as text (the train split is trained on like an upload). */
export async function shippedText(task: string, split = 'train'): Promise<string> {
  const load = SHIPPED[`../../datasets/${task}/${split}.jsonl`];
  if (!load) throw new RecordError(`no shipped dataset for ${task}/${split}`);
  const res = await fetch(await load());
  if (!res.ok) throw new RecordError(`could not fetch the shipped dataset ${task}/${split} (HTTP ${res.status})`);
  return res.text();
}

export async function shippedRecords(task: string, split: string): Promise<BrowsedRecord[]> {
  const { rows } = parseJsonl(await shippedText(task, split), `datasets/${task}/${split}.jsonl`);
  return rows.map((r) => browsed(r, 'shipped'));
}
