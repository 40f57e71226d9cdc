// reasonlab's char tokenizer as Hugging Face `tokenizers` files (tokenizer.json, tokenizer_config.json,
// special_tokens_map.json), so `AutoTokenizer.from_pretrained(checkpoint)` gives exactly reasonlab's ids,
// and the way back: a Hugging Face tokenizer.json written here (or re-saved by `transformers`) rebuilds
// the reasonlab tokenizer. No I/O; checkpoint.ts moves the files.

import { Tokenizer, type TokenizerJSON } from '../tokenizer.ts';

/**
 * The four tags stay plain added tokens (special: false): one id each, but kept by
 * `decode(..., skip_special_tokens=True)` and by the text-generation pipeline, which then drops
 * only pad/bos/eos, as reasonlab's own decode does, so its output can be verified.
 */
const SPECIAL = new Set(['<pad>', '<bos>', '<eos>']);

/**
 * Every character its own pre-token, then a WordLevel lookup: the character-level split that both
 * the Rust `tokenizers` library (Oniguruma) and @huggingface/tokenizers (JS) read the same way.
 * `[\s\S]` rather than `.`, which skips the newline in both engines.
 */
const CHAR_SPLIT = { type: 'Split', pattern: { Regex: '[\\s\\S]' }, behavior: 'Isolated', invert: false } as const;

/** WordLevel needs an unk_token; it is not in the vocabulary, so an unknown character is an error, as in reasonlab. */
const UNK = '<unk>';

export interface HfTokenizerFiles {
  'tokenizer.json': string;
  'tokenizer_config.json': string;
  'special_tokens_map.json': string;
}

const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';

/** The Hugging Face files for `tok`; `maxLength` is the model's context (n_positions). */
export function hfTokenizerFiles(tok: Tokenizer, maxLength: number): HfTokenizerFiles {
  const vocab: Record<string, number> = {};
  tok.specials.forEach((s, i) => (vocab[s] = i));
  [...tok.chars].forEach((ch, i) => (vocab[ch] = tok.specials.length + i));
  const added = tok.specials.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: SPECIAL.has(content),
  }));
  const bos = { SpecialToken: { id: '<bos>', type_id: 0 } };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: CHAR_SPLIT,
    // <bos> first, as reasonlab's sampler and trainer see every prompt (data/batch.ts encodePrompt);
    // encode(text, add_special_tokens=False) gives the bare ids.
    post_processor: {
      type: 'TemplateProcessing',
      single: [bos, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [bos, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }],
      special_tokens: { '<bos>': { id: '<bos>', ids: [tok.bos], tokens: ['<bos>'] } },
    },
    decoder: { type: 'Fuse' },
    model: { type: 'WordLevel', vocab, unk_token: UNK },
  };
  const config = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: '<bos>',
    eos_token: '<eos>',
    pad_token: '<pad>',
    model_max_length: maxLength,
    // No token_type_ids: GPT-2 would add wte[type id] to every position.
    model_input_names: ['input_ids', 'attention_mask'],
    // The default clean-up rewrites " ," to "," and the like, which would change task text.
    clean_up_tokenization_spaces: false,
    added_tokens_decoder: Object.fromEntries(added.map(({ id, ...rest }) => [String(id), rest])),
  };
  return {
    'tokenizer.json': json(tokenizer),
    'tokenizer_config.json': json(config),
    'special_tokens_map.json': json({ bos_token: '<bos>', eos_token: '<eos>', pad_token: '<pad>' }),
  };
}

/** A Hugging Face tokenizer.json (rather than reasonlab's own format, which has `type: 'reasonlab-char'`). */
export function isHfTokenizerJSON(j: unknown): boolean {
  return typeof j === 'object' && j !== null && 'model' in j && 'added_tokens' in j;
}

/**
 * Rebuild reasonlab's tokenizer from a Hugging Face tokenizer.json of the shape written above:
 * ids 0..n-1, the added tokens first (the specials), then one id per character. Throws, saying
 * what is wrong, for any other tokenizer (BPE, gaps in the ids, multi-character entries).
 */
export function tokenizerFromHf(j: unknown): TokenizerJSON {
  const fail = (msg: string): never => {
    throw new Error(`not a reasonlab character tokenizer in Hugging Face format: ${msg}`);
  };
  const o = j as { model?: { type?: unknown; vocab?: unknown }; added_tokens?: unknown; normalizer?: unknown; pre_tokenizer?: unknown };
  if (o.model?.type !== 'WordLevel') fail(`model.type is ${JSON.stringify(o.model?.type)}, expected "WordLevel"`);
  const vocab = o.model!.vocab;
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) return fail('model.vocab must be an object {token: id}');
  if (o.normalizer != null) fail('it has a normalizer (reasonlab encodes text unchanged)');
  const split = o.pre_tokenizer as Record<string, unknown> | null | undefined;
  const splitsChars = split?.type === 'Split' && split.behavior === 'Isolated' && split.invert === false &&
    (split.pattern as { Regex?: unknown } | undefined)?.Regex === CHAR_SPLIT.pattern.Regex;
  if (!splitsChars) {
    fail(`pre_tokenizer must split every character (${JSON.stringify(CHAR_SPLIT)})`);
  }
  if (!Array.isArray(o.added_tokens)) fail('added_tokens must be a list');
  const added = new Set((o.added_tokens as { content?: unknown }[]).map((t) => t?.content));
  const byId: string[] = [];
  for (const [token, id] of Object.entries(vocab as Record<string, unknown>)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) fail(`id of ${JSON.stringify(token)} is ${JSON.stringify(id)}`);
    if (byId[id as number] !== undefined) fail(`id ${id} is used twice`);
    byId[id as number] = token;
  }
  const specials: string[] = [];
  let chars = '';
  for (let id = 0; id < byId.length; id++) {
    const t = byId[id];
    if (t === undefined) return fail(`no token has id ${id} (ids must run 0..${byId.length - 1})`);
    if (added.has(t)) {
      if (chars) fail(`added token ${JSON.stringify(t)} (id ${id}) comes after the characters; specials take the first ids`);
      specials.push(t);
    } else if ([...t].length !== 1) {
      fail(`vocabulary entry ${JSON.stringify(t)} (id ${id}) is neither an added token nor one character`);
    } else chars += t;
  }
  // The constructor checks that every reasonlab special is present and no character repeats.
  return new Tokenizer({ type: 'reasonlab-char', version: 1, specials, chars }).toJSON();
}
