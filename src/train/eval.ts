// Held-out evaluation through the task's verifier: greedy exact-match accuracy and sampled
// accuracy at a temperature, on problems whose split is 'test' (never trained on).

import type { ModelConfig } from '../model/config.ts';
import type { Params } from '../model/gpt.ts';
import { sample } from '../model/sample.ts';
import { Rng } from '../rng.ts';
import type { AnyTask, Verdict } from '../tasks/types.ts';
import type { Tokenizer } from '../tokenizer.ts';
import { encodePrompt } from '../data/batch.ts';

export interface EvalItem {
  prompt: string;
  completion: string;
  verdict: Verdict;
}

export interface EvalResult {
  n: number;
  accuracy: number;
  format_rate: number;
  truncated_rate: number;
  items: EvalItem[];
}

export interface EvalOptions {
  temperature: number;
  topK: number;
  seed: number;
  /** Prompts per sampling batch. */
  batchSize: number;
}

/** Generate one completion per problem and verify it. */
export async function evaluate(
  params: Params,
  mc: ModelConfig,
  tok: Tokenizer,
  task: AnyTask,
  taskCfg: object,
  problems: readonly unknown[],
  o: EvalOptions,
): Promise<EvalResult> {
  const rng = new Rng(o.seed);
  const items: EvalItem[] = [];
  const maxNew = task.maxCompletionLength(taskCfg) + 1; // + <eos>
  for (let i = 0; i < problems.length; i += o.batchSize) {
    const chunk = problems.slice(i, i + o.batchSize);
    const prompts = chunk.map((p) => task.prompt(p, taskCfg) as string);
    const res = await sample(params, mc, prompts.map((p) => encodePrompt(tok, p)), {
      maxNewTokens: maxNew,
      temperature: o.temperature,
      topK: o.topK,
      eosId: tok.eos,
      rng,
    });
    chunk.forEach((p, j) => {
      const completion = tok.decode(res.tokens[j]!);
      const verdict = task.verify(p, completion, taskCfg, { truncated: res.truncated[j]! });
      items.push({ prompt: prompts[j]!, completion, verdict });
    });
  }
  const n = items.length;
  const frac = (f: (x: EvalItem) => boolean) => (n ? items.filter(f).length / n : 0);
  return {
    n,
    accuracy: frac((x) => x.verdict.correct),
    format_rate: frac((x) => x.verdict.format_ok),
    truncated_rate: frac((x) => x.verdict.truncated),
    items,
  };
}
