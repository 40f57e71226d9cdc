// Multi-turn sampling: a batch of episodes (P problems x G samples, or one per test problem) run
// together through the KV cache. Every row advances one position per step, as sample.ts feeds
// prompts of different lengths: a row either feeds a given token (its prompt, or the environment's
// reply, queued) or its own last pick. A pick counts only when the row's queue is empty; it is
// then a model token, with its log-prob. When a row's action ends with a stop tag the Episode
// answers, and the reply's tokens are queued: fed through the same cache, never sampled, never
// trained on (mask 0). Rows that are done feed <pad> until the batch ends, so the batch keeps its
// shape. The host reads the picks back every step: the next input depends on them.

import * as tf from '@tensorflow/tfjs';
import { Episode, type Trajectory } from '../envs/episode.ts';
import { endsWithTag } from '../envs/verdict.ts';
import type { AnyEnv } from '../envs/types.ts';
import { cacheSlots, decodeStep, decodeWeights, growingCache, pick, type Cache } from '../model/sample.ts';
import type { GenerateOptions, Policy } from './generate.ts';

/** One sampled episode and the token sequence the model saw. */
export interface EpisodeRow {
  trajectory: Trajectory;
  /** <bos>, the prompt, every turn, and <eos> when the model wrote it: what the model was fed. */
  ids: number[];
  /** 1 where ids[j] was picked by the model (a training target), 0 for the prompt and replies. */
  mask: number[];
  /** log p(ids[j]) under the sampling distribution where mask[j] = 1, else 0. */
  logprobs: number[];
  /** Tokens the model wrote (the sum of mask). */
  modelTokens: number;
  /** Length of <bos> + the prompt: ids before it are never targets. */
  promptLength: number;
}

export interface EpisodeBatch {
  rows: EpisodeRow[];
  /** Seconds spent in the sampling loop. */
  sampleSeconds: number;
}

interface RowState {
  ep: Episode;
  ids: number[];
  mask: number[];
  logprobs: number[];
  /** Tokens of ids still to feed (given ones, or the model's last pick). */
  queue: number[];
  /** The current model turn: its tokens and text. */
  turn: number;
  text: string;
  /** Most tokens this turn may take (the episode's room when the turn began). */
  room: number;
  done: boolean;
  promptLength: number;
}

/**
 * Run one episode per problem (row i: `problems[i]`) with the policy. The token budget is the
 * environment's, lowered to the model's context (blockSize - 1 positions hold the transcript and
 * <eos>). Deterministic per `o.rng`. Leaves no tensors behind.
 */
export async function sampleEpisodes(policy: Policy, env: AnyEnv, envCfg: object, problems: readonly unknown[], o: GenerateOptions): Promise<EpisodeBatch> {
  const t0 = performance.now();
  const { params, model: c, tok } = policy;
  const B = problems.length;
  if (B === 0) return { rows: [], sampleSeconds: 0 };
  const rows: RowState[] = problems.map((p) => {
    const ep = new Episode(env, p, envCfg, { maxTokens: c.blockSize - 1, scheme: o.scheme });
    const ids = [tok.bos, ...tok.encode(ep.prompt)];
    return { ep, ids, mask: ids.map(() => 0), logprobs: ids.map(() => 0), queue: [...ids], turn: 0, text: '', room: ep.room(), done: ep.done, promptLength: ids.length };
  });
  const V = c.vocabSize;
  const H = c.nHead;
  const D = c.nEmbd / H;
  const S = growingCache() ? 0 : cacheSlots(c.blockSize, c.blockSize);
  const w = decodeWeights(params, c);
  let cache: Cache = { k: Array.from({ length: c.nLayer }, () => tf.zeros([S, B * H, D])), v: Array.from({ length: c.nLayer }, () => tf.zeros([S, B * H, D])) };
  const sopts = { maxNewTokens: 0, temperature: o.temperature, topK: o.topK, eosId: tok.eos, rng: o.rng };
  try {
    for (let t = 0; rows.some((r) => !r.done); t++) {
      if (t >= c.blockSize) throw new Error(`sampleEpisodes: an episode ran past the context of ${c.blockSize} tokens (the token budget should have cut it)`);
      const col = new Int32Array(B).fill(tok.pad);
      const gen: boolean[] = rows.map((r, i) => {
        if (r.done) return false;
        col[i] = r.queue.shift()!;
        return r.queue.length === 0;
      });
      const out = tf.tidy(() => {
        const s = decodeStep(params, c, w, cache, tf.tensor1d(col, 'int32'), t, S);
        const [tk, lp] = pick(s.logits, sopts, V);
        return { tk, lp, cache: s.cache };
      });
      for (const x of [...cache.k, ...cache.v]) x.dispose();
      cache = out.cache;
      const [tks, lps] = await Promise.all([out.tk.data(), out.lp.data()]);
      tf.dispose([out.tk, out.lp]);
      rows.forEach((r, i) => {
        if (gen[i]) modelToken(r, tks[i]!, lps[i]!);
      });
    }
  } finally {
    for (const x of [...cache.k, ...cache.v]) x.dispose();
    tf.dispose([w.wteT, ...w.attnW, ...w.attnB]);
  }

  /** A model pick for row `r`: record it, then end the turn at a stop tag, <eos> or the room. */
  function modelToken(r: RowState, x: number, lp: number): void {
    r.ids.push(x);
    r.mask.push(1);
    r.logprobs.push(lp);
    if (x === tok.eos) {
      r.ep.act(r.text);
      r.done = true;
      return;
    }
    r.turn++;
    r.text += tok.decode([x]);
    r.queue.push(x);
    const tagged = endsWithTag(r.text, r.ep.stopTags) !== null;
    if (!tagged && r.turn < r.room) return;
    const res = r.ep.act(r.text, { truncated: !tagged });
    for (const y of tok.encode(res.observation)) {
      r.ids.push(y);
      r.mask.push(0);
      r.logprobs.push(0);
      r.queue.push(y);
    }
    r.done = res.done;
    r.turn = 0;
    r.text = '';
    r.room = r.ep.room();
  }

  return {
    rows: rows.map((r) => ({ trajectory: r.ep.finish(), ids: r.ids, mask: r.mask, logprobs: r.logprobs, modelTokens: r.mask.reduce((a, b) => a + b, 0), promptLength: r.promptLength })),
    sampleSeconds: (performance.now() - t0) / 1000,
  };
}

/** Mean model turns and tool calls per episode (0 for none). */
export function episodeMeans(ts: readonly Trajectory[]): { turns: number; calls: number } {
  const n = Math.max(ts.length, 1);
  return {
    turns: ts.reduce((a, t) => a + t.turns.filter((x) => x.role === 'model').length, 0) / n,
    calls: ts.reduce((a, t) => a + t.calls.length, 0) / n,
  };
}
