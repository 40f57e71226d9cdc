// Character-level tokenizer shared by every task: printable ASCII plus newline, and special tokens
// for padding, sequence begin/end and the tags that separate the reasoning trace from the answer.
// Saved with every checkpoint as tokenizer.json so a run can be decoded without this source.

export const SPECIALS = ['<pad>', '<bos>', '<eos>', '<think>', '</think>', '<answer>', '</answer>'] as const;
export type Special = (typeof SPECIALS)[number];

export interface TokenizerJSON {
  type: 'reasonlab-char';
  version: 1;
  specials: string[];
  chars: string;
}

/** Printable ASCII (space..~) and newline. */
const DEFAULT_CHARS = '\n' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

export class Tokenizer {
  readonly specials: readonly string[];
  readonly chars: string;
  readonly vocabSize: number;
  readonly pad: number;
  readonly bos: number;
  readonly eos: number;
  private readonly charToId = new Map<string, number>();
  private readonly specialToId = new Map<string, number>();
  private readonly idToText: string[];

  constructor(json?: TokenizerJSON) {
    this.specials = json ? json.specials : [...SPECIALS];
    this.chars = json ? json.chars : DEFAULT_CHARS;
    for (const s of SPECIALS) {
      if (!this.specials.includes(s)) throw new Error(`tokenizer.json: missing special token ${s}`);
    }
    this.idToText = [...this.specials];
    this.specials.forEach((s, i) => this.specialToId.set(s, i));
    for (const ch of this.chars) {
      if (this.charToId.has(ch)) throw new Error(`tokenizer.json: duplicate character ${JSON.stringify(ch)}`);
      this.charToId.set(ch, this.idToText.length);
      this.idToText.push(ch);
    }
    this.vocabSize = this.idToText.length;
    this.pad = this.id('<pad>');
    this.bos = this.id('<bos>');
    this.eos = this.id('<eos>');
  }

  /** Id of a special token. */
  id(special: Special): number {
    const v = this.specialToId.get(special);
    if (v === undefined) throw new Error(`unknown special token ${special}`);
    return v;
  }

  /**
   * Encode text; special-token strings such as `<think>` become single tokens.
   * Throws on a character outside the vocabulary, naming it and its position.
   */
  encode(text: string): number[] {
    const out: number[] = [];
    let i = 0;
    while (i < text.length) {
      if (text[i] === '<') {
        const close = text.indexOf('>', i);
        if (close > 0 && close - i < 16) {
          const sp = this.specialToId.get(text.slice(i, close + 1));
          if (sp !== undefined) {
            out.push(sp);
            i = close + 1;
            continue;
          }
        }
      }
      const ch = text[i]!;
      const id = this.charToId.get(ch);
      if (id === undefined) {
        throw new Error(`character ${JSON.stringify(ch)} (U+${ch.charCodeAt(0).toString(16).padStart(4, '0')}) at position ${i} is not in the vocabulary`);
      }
      out.push(id);
      i++;
    }
    return out;
  }

  /** Decode ids to text; pad/bos/eos are dropped, other specials are written as their tags. */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === this.pad || id === this.bos || id === this.eos) continue;
      s += this.idToText[id] ?? '\uFFFD';
    }
    return s;
  }

  toJSON(): TokenizerJSON {
    return { type: 'reasonlab-char', version: 1, specials: [...this.specials], chars: this.chars };
  }

  static fromJSON(json: unknown): Tokenizer {
    const j = json as Partial<TokenizerJSON> | null;
    if (!j || j.type !== 'reasonlab-char' || !Array.isArray(j.specials) || typeof j.chars !== 'string') {
      throw new Error('tokenizer.json: not a reasonlab-char tokenizer (fields type, specials, chars)');
    }
    if (j.version !== 1) throw new Error(`tokenizer.json: unsupported version ${JSON.stringify(j.version)} (this build reads version 1)`);
    return new Tokenizer(j as TokenizerJSON);
  }
}
