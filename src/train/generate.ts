// Sample -> decode -> verify, once: the path every completion a model writes takes, whether it is
// an RL rollout or a held-out evaluation. Rows are independent: each has its own problem and
// prompt tokens, so RL passes each problem G times and evaluation once (or n times for pass@k).

import type { ModelConfig } from '../model/config.ts';
import type { Params } from '../model/gpt.ts';
import { sample } from '../model/sample.ts';
import type { Rng } from '../rng.ts';
import type { AnyTask, Verdict } from '../tasks/types.ts';
import type { Tokenizer } from '../tokenizer.ts';

/** A model that writes completions: its weights, its shape and its tokenizer. */
export interface Policy {
  params: Params;
  model: ModelConfig;
  tok: Tokenizer;
}

export interface GenerateOptions {
  /** 0 = greedy; otherwise softmax(logits / temperature). */
  temperature: number;
  /** Keep the k most likely tokens (0 = all). */
  topK: number;
  /** The sampling noise; the caller owns it, so batches can share one stream. */
  rng: Rng;
  /** Reward scheme the verdicts pay under (absent: the task's default). */
  scheme?: string;
}

/** One row per completion, in input order. */
export interface Completions {
  /** The completion's token ids (<eos> included when emitted; the prompt excluded). */
  tokens: Int32Array[];
  /** log p(token) under the sampling distribution, per completion token (PPO's pi_old). */
  logprobs: Float32Array[];
  /** The row hit the length limit without <eos>. */
  truncated: boolean[];
  /** The decoded completions: exactly what the verifier saw. */
  texts: string[];
  verdicts: Verdict[];
  /** Seconds spent sampling (decode and verify excluded). */
  sampleSeconds: number;
}

/**
 * Sample one completion per row (row i: prompt tokens `promptTokens[i]` of problem `problems[i]`),
 * decode it and verify it with the task. At most maxCompletionLength + 1 tokens (the + 1: <eos>).
 */
export async function sampleAndVerify(
  policy: Policy,
  task: AnyTask,
  taskCfg: object,
  problems: readonly unknown[],
  promptTokens: number[][],
  o: GenerateOptions,
): Promise<Completions> {
  if (problems.length !== promptTokens.length) throw new Error(`sampleAndVerify: ${problems.length} problems for ${promptTokens.length} prompts (need one problem per row)`);
  const t = performance.now();
  const res = await sample(policy.params, policy.model, promptTokens, {
    maxNewTokens: task.maxCompletionLength(taskCfg) + 1,
    temperature: o.temperature,
    topK: o.topK,
    eosId: policy.tok.eos,
    rng: o.rng,
  });
  const sampleSeconds = (performance.now() - t) / 1000;
  const texts = res.tokens.map((toks) => policy.tok.decode(toks));
  const scheme = o.scheme === undefined ? {} : { scheme: o.scheme };
  const verdicts = texts.map((c, i) => task.verify(problems[i], c, taskCfg, { truncated: res.truncated[i]!, ...scheme }));
  return { tokens: res.tokens, logprobs: res.logprobs, truncated: res.truncated, texts, verdicts, sampleSeconds };
}
