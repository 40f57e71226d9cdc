// The reward model's scalar head as a file: one tensor `score.weight` [1, C] (the name and layout of
// Hugging Face's GPT2ForSequenceClassification head, which has no bias) in its own safetensors file
// beside the checkpoint, so the model folder stays a plain GPT2LMHeadModel that transformers loads.
// No tfjs and no I/O: host arrays in, bytes out, and back with validation (CheckpointError).

import { CheckpointError } from './checkpoint.ts';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors.ts';

/** File name of the head beside config.json / model.safetensors. */
export const REWARD_HEAD_FILE = 'reward_head.safetensors';
/** Tensor name and shape [1, C]: transformers' GPT2ForSequenceClassification `score` (num_labels 1). */
export const REWARD_HEAD_TENSOR = 'score.weight';

/** Serialise the head weights (C values) to the bytes of reward_head.safetensors. */
export function rewardHeadToFile(weight: Float32Array, nEmbd: number): Uint8Array {
  if (weight.length !== nEmbd) throw new CheckpointError(`rewardHeadToFile: head has ${weight.length} values, n_embd is ${nEmbd}`);
  return encodeSafetensors([{ name: REWARD_HEAD_TENSOR, shape: [1, nEmbd], data: weight }], { format: 'pt', reasonlab: 'reward-head' });
}

/** Read reward_head.safetensors for a trunk of width `nEmbd`; `where` prefixes every error. */
export function rewardHeadFromFile(bytes: Uint8Array, nEmbd: number, where = REWARD_HEAD_FILE): Float32Array {
  let tensors;
  try {
    tensors = decodeSafetensors(bytes, where).tensors;
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CheckpointError(e.message, { cause: e });
    throw e;
  }
  const t = tensors.get(REWARD_HEAD_TENSOR);
  if (!t) throw new CheckpointError(`${where}: missing tensor ${REWARD_HEAD_TENSOR} (is this a reward-model folder? train one with --stage rm)`);
  if (t.shape.length !== 2 || t.shape[0] !== 1 || t.shape[1] !== nEmbd) {
    throw new CheckpointError(`${where}: tensor ${REWARD_HEAD_TENSOR} has shape [${t.shape.join(', ')}], expected [1, ${nEmbd}] (n_embd of config.json)`);
  }
  const extra = [...tensors.keys()].filter((k) => k !== REWARD_HEAD_TENSOR);
  if (extra.length > 0) throw new CheckpointError(`${where}: unexpected tensor(s) ${extra.slice(0, 5).join(', ')}`);
  return t.data;
}
