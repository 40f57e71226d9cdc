// The episode runner: the one place that enforces the turn limit and the token budget, records
// every turn (model or environment) and every tool call, and asks the environment for the terminal
// verdict. A sampler drives it (`act` with each model turn, stopping at `stopTags`); the gold
// policy drives it in `runGold`; `replayTurns` and `replayText` re-run the environment against a
// stored transcript and reject one that claims a reply the environment never gave.

import { TAGS, tokenLength } from '../tasks/format.ts';
import type { Verdict } from '../tasks/types.ts';
import { endsWithTag, firstEnd } from './verdict.ts';
import type { AnyEnv, EnvLimits, ToolCall, Truncation, Turn } from './types.ts';

export interface EpisodeOptions {
  /** Tighter limits than the environment's own (e.g. the model's context); never looser. */
  maxTurns?: number;
  maxTokens?: number;
  scheme?: string;
}

export interface Trajectory {
  /** turns[0] is the environment's first observation (the prompt); then model and env turns. */
  turns: Turn[];
  calls: ToolCall[];
  verdict: Verdict;
  truncation: Truncation;
  /** The limits the episode ran under (a replay needs them). */
  limits: EnvLimits;
}

const show = (s: string) => JSON.stringify(s.slice(0, 60)) + (s.length > 60 ? '...' : '');

/** The longest prefix of `text` with at most `n` tokens (the special tags count one each). */
export function clipTokens(text: string, n: number): string {
  let i = 0;
  for (let k = 0; k < n && i < text.length; k++) {
    const tag = text[i] === '<' ? TAGS.find((t) => text.startsWith(t, i)) : undefined;
    i += tag ? tag.length : 1;
  }
  return text.slice(0, i);
}

export class Episode {
  readonly limits: EnvLimits;
  readonly stopTags: readonly string[];
  readonly turns: Turn[] = [];
  readonly calls: ToolCall[] = [];
  done = false;
  truncation: Truncation = null;
  /** Tokens in the transcript so far (prompt included). */
  used = 0;
  modelTurns = 0;
  private state: unknown;

  constructor(
    readonly env: AnyEnv,
    readonly problem: unknown,
    readonly cfg: object,
    private readonly opts: EpisodeOptions = {},
  ) {
    const own = env.limits(cfg);
    this.limits = { maxTurns: Math.min(own.maxTurns, opts.maxTurns ?? Infinity), maxTokens: Math.min(own.maxTokens, opts.maxTokens ?? Infinity) };
    this.stopTags = env.actionEnds;
    const first = env.reset(problem, cfg);
    this.state = first.state;
    this.turns.push({ role: 'env', text: first.observation });
    this.used = tokenLength(first.observation);
    if (this.room() <= 0) this.end('tokens');
  }

  get prompt(): string {
    return this.turns[0]!.text;
  }

  /** Most tokens the model may write in its next turn: the budget left, minus room for a reply. */
  room(): number {
    return this.limits.maxTokens - this.used - this.env.maxObservationLength(this.cfg);
  }

  /** Everything after the prompt, as one string (what the format checks read). */
  completion(): string {
    return this.turns
      .slice(1)
      .map((t) => t.text)
      .join('');
  }

  /** The gold policy's next action. */
  goldAction(): string {
    return this.env.gold(this.problem, this.state, this.cfg);
  }

  private end(t: Truncation): void {
    this.done = true;
    this.truncation = t;
  }

  /**
   * One model turn: `text` up to its first stop tag is the action (`rest` is what follows it);
   * an action longer than `room()` is cut and ends the episode as truncated, as does
   * `opts.truncated` (the sampler hit its own limit). Returns the environment's reply, if any.
   */
  act(text: string, opts: { truncated?: boolean } = {}): { observation: string; done: boolean; rest: string } {
    if (this.done) throw new Error('act() on an episode that is over');
    const cut = firstEnd(text, this.stopTags);
    let action = cut >= 0 ? text.slice(0, cut) : text;
    const rest = cut >= 0 ? text.slice(cut) : '';
    let truncated = opts.truncated ?? false;
    const room = Math.max(0, this.room());
    if (tokenLength(action) > room) {
      action = clipTokens(action, room);
      truncated = true;
    }
    this.turns.push({ role: 'model', text: action });
    this.modelTurns++;
    this.used += tokenLength(action);
    const r = this.env.step(this.problem, this.state, action, this.cfg);
    this.state = r.state;
    const tagged = endsWithTag(action, this.stopTags) !== null;
    const observation = tagged && !truncated ? r.observation : '';
    if (r.call) this.calls.push({ turn: this.turns.length - 1, input: r.call.input, output: observation, ok: r.call.ok });
    if (observation !== '') {
      this.turns.push({ role: 'env', text: observation });
      this.used += tokenLength(observation);
    }
    if (truncated) this.end('tokens');
    else if (r.done || !tagged) this.end(null);
    else if (this.modelTurns >= this.limits.maxTurns) this.end('turns');
    else if (this.room() <= 0) this.end('tokens');
    return { observation, done: this.done, rest };
  }

  /** The terminal verdict and the whole record of the episode (call once it is done). */
  finish(): Trajectory {
    if (!this.done) throw new Error('finish() before the episode is over');
    const verdict = this.env.judge(this.problem, this.state, this.completion(), this.cfg, { truncation: this.truncation, scheme: this.opts.scheme });
    return { turns: this.turns.map((t) => ({ ...t })), calls: this.calls.map((c) => ({ ...c })), verdict, truncation: this.truncation, limits: { ...this.limits } };
  }
}

/** The gold policy's episode on `problem`. */
export function runGold(env: AnyEnv, problem: unknown, cfg: object, opts: EpisodeOptions = {}): Trajectory {
  const ep = new Episode(env, problem, cfg, opts);
  while (!ep.done) ep.act(ep.goldAction());
  return ep.finish();
}

export type Replay = { ok: true; trajectory: Trajectory } | { ok: false; reason: string };

/**
 * Re-run the environment on the model turns of `turns` and check that every environment turn is
 * exactly what the environment answers (`turns[0]` the prompt). `truncation: 'tokens'` says the
 * sampler cut the last model turn.
 */
export function replayTurns(env: AnyEnv, problem: unknown, cfg: object, turns: readonly Turn[], truncation: Truncation, opts: EpisodeOptions = {}): Replay {
  const ep = new Episode(env, problem, cfg, opts);
  if (turns[0]?.role !== 'env') return { ok: false, reason: 'turn 0 must be the environment\'s prompt' };
  if (turns[0].text !== ep.prompt) return { ok: false, reason: `turn 0: the transcript's prompt is ${show(turns[0].text)}, the environment's is ${show(ep.prompt)}` };
  const lastModel = turns.map((t) => t.role).lastIndexOf('model');
  for (let i = 1; i < turns.length; ) {
    const t = turns[i]!;
    if (ep.done) return { ok: false, reason: `turn ${i}: the episode was already over (${ep.truncation ? `cut by the ${ep.truncation === 'turns' ? 'turn limit' : 'token budget'}` : 'ended'} after turn ${i - 1})` };
    if (t.role !== 'model') return { ok: false, reason: `turn ${i}: claims an environment reply ${show(t.text)} the environment never gave` };
    const r = ep.act(t.text, { truncated: truncation === 'tokens' && i === lastModel });
    if (r.rest !== '') return { ok: false, reason: `turn ${i}: the model turn goes on after its action ended (${show(r.rest)}); the environment replies there` };
    i++;
    if (r.observation === '') continue;
    const next = turns[i];
    if (next?.role !== 'env' || next.text !== r.observation) {
      return { ok: false, reason: `turn ${i}: the transcript ${next ? `says ${show(next.text)}` : 'ends'} where the environment answered ${show(r.observation)}` };
    }
    i++;
  }
  if (!ep.done) return { ok: false, reason: `the transcript ends after turn ${turns.length - 1} but the episode is not over` };
  return { ok: true, trajectory: ep.finish() };
}

/**
 * Re-run the environment against a flat transcript (everything after the prompt, turns unmarked):
 * each model action runs to its stop tag, and the environment's reply must follow verbatim. Text
 * after an episode the limits cut is dropped; text after one that ended is refused.
 */
export function replayText(env: AnyEnv, problem: unknown, cfg: object, text: string, opts: EpisodeOptions = {}): Replay {
  const ep = new Episode(env, problem, cfg, opts);
  let rest = text;
  while (!ep.done && (rest !== '' || ep.modelTurns === 0)) {
    const r = ep.act(rest);
    rest = r.rest;
    if (r.observation === '') continue;
    if (!rest.startsWith(r.observation)) {
      return { ok: false, reason: `after model turn ${ep.modelTurns} the transcript says ${show(rest.slice(0, r.observation.length))} where the environment answered ${show(r.observation)}` };
    }
    rest = rest.slice(r.observation.length);
  }
  if (!ep.done) return { ok: false, reason: `the transcript ends after ${ep.modelTurns} model turn(s) but the episode is not over` };
  if (rest !== '' && ep.truncation === null) return { ok: false, reason: `text after the episode ended: ${show(rest)}` };
  return { ok: true, trajectory: ep.finish() };
}
