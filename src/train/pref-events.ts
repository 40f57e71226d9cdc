// Typed events of the preference stages (reward model, DPO): a step row and a held-out evaluation
// row each, written to metrics.jsonl beside the SFT and RL rows (their own types, so a reader of
// either kind is not surprised by the other).

export type PrefStage = 'rm' | 'dpo';

export interface PrefStepEvent {
  type: 'pref_step';
  stage: PrefStage;
  step: number;
  loss: number;
  /** On this step's batch: share of decided pairs ranked right (RM: r_c > r_r; DPO: implicit reward z > 0). */
  accuracy: number;
  /** On this step's batch: mean r_c - r_r (RM) or mean implicit reward margin z (DPO). */
  margin: number;
  grad_norm: number;
  lr: number;
  elapsed_s: number;
}

export interface PrefEvalEvent {
  type: 'pref_eval';
  stage: PrefStage;
  step: number;
  /** Held-out pairs (ties included for the RM's count; DPO uses decided pairs only). */
  heldout_pairs: number;
  /** RM: held-out pairs with a preference (accuracy and margin are over these; ties only enter the loss). */
  heldout_decided?: number;
  heldout_accuracy: number;
  heldout_margin: number;
  /** The same on up to PREF_EVAL_TRAIN_N training pairs (how far the fit is from the held-out numbers). */
  train_pairs: number;
  train_accuracy: number;
  train_margin: number;
  /** DPO only: greedy completions of the held-out test problems. */
  n?: number;
  /** Fully right (format, every step and the answer). */
  greedy_acc?: number;
  /** Mean completion length in tokens (<eos> excluded) and mean tokens inside <think>. */
  len_mean?: number;
  think_len_mean?: number;
  /**
   * Mean tokens inside <think> over the fully right greedy completions only (absent when none is
   * right): where the verifier accepts many right traces, the length a preference can move
   * without costing accuracy.
   */
  think_len_right_mean?: number;
  /**
   * KL(policy || start policy) in nats per completion, estimated on one completion per held-out
   * problem sampled from the policy at temperature 1: mean over completions of sum_t (log pi - log pi_ref).
   */
  kl_seq?: number;
  elapsed_s: number;
}

export interface PrefDoneEvent {
  type: 'pref_done';
  stage: PrefStage;
  step: number;
  reason: 'finished' | 'stopped';
  elapsed_s: number;
}

export type PrefEvent = PrefStepEvent | PrefEvalEvent | PrefDoneEvent;
export type PrefSink = (e: PrefEvent) => void | Promise<void>;

/** Training pairs scored at each evaluation (a fixed prefix of the training pairs). */
export const PREF_EVAL_TRAIN_N = 256;
