// Character tokenizer: exact round trips, special tags as single tokens (and only exact tags),
// clear errors for characters outside the vocabulary, and tokenizer.json round trips / rejection.

import { describe, it, expect } from 'vitest';
import { SPECIALS, Tokenizer } from '../src/tokenizer.ts';

const tok = new Tokenizer();
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

describe('vocabulary', () => {
  it('has 103 tokens: 7 specials, newline, 95 printable ASCII', () => {
    expect(tok.vocabSize).toBe(103);
    expect(SPECIALS.length).toBe(7);
  });

  it('pins the special ids checkpoints depend on', () => {
    expect([tok.pad, tok.bos, tok.eos]).toEqual([0, 1, 2]);
    expect(SPECIALS.map((s) => tok.id(s))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('every id decodes to a distinct string', () => {
    const texts = new Set<string>();
    for (let id = 0; id < tok.vocabSize; id++) texts.add(tok.decode([id]) || `<dropped ${id}>`);
    expect(texts.size).toBe(tok.vocabSize);
  });
});

describe('encode / decode', () => {
  it('round trips all printable ASCII and newline, one token per character', () => {
    const text = PRINTABLE + '\n' + PRINTABLE.split('').reverse().join('') + '\n\n';
    const ids = tok.encode(text);
    expect(ids.length).toBe(text.length);
    for (const id of ids) expect(id >= 7 && id < tok.vocabSize).toBe(true);
    expect(tok.decode(ids)).toBe(text);
  });

  it('each special tag encodes to exactly one token', () => {
    for (const s of SPECIALS) expect(tok.encode(s)).toEqual([tok.id(s)]);
    const ids = tok.encode('<think>7+5+0=12</think><answer>12</answer>');
    expect(ids.length).toBe(1 + 8 + 1 + 1 + 2 + 1);
    expect(ids[0]).toBe(tok.id('<think>'));
    expect(ids.at(-1)).toBe(tok.id('</answer>'));
  });

  it('near-miss tags are plain characters', () => {
    for (const s of ['<think', '<foo>', '<THINK>', '< think>', '<think >', '</ answer>', '<>', '<', '>', 'think>']) {
      const ids = tok.encode(s);
      expect(ids.length, s).toBe(s.length);
      expect(tok.decode(ids)).toBe(s);
    }
  });

  it('finds a tag right after a stray "<" and inside text', () => {
    expect(tok.encode('<<think>')).toEqual([...tok.encode('<'), tok.id('<think>')]);
    expect(tok.encode('a<answer>b')).toEqual([...tok.encode('a'), tok.id('<answer>'), ...tok.encode('b')]);
    // "<think" followed much later by ">" stays plain.
    const s = '<think' + 'x'.repeat(30) + '>';
    expect(tok.encode(s).length).toBe(s.length);
  });

  it('unknown characters throw, naming the character and its position', () => {
    expect(() => tok.encode('ab\té')).toThrow(/"\\t".*position 2/);
    expect(() => tok.encode('12é')).toThrow(/"é" \(U\+00e9\) at position 2/);
    expect(() => tok.encode('<think>\r')).toThrow(/U\+000d\) at position 7/);
    expect(() => tok.encode('😀')).toThrow(/position 0 is not in the vocabulary/);
    expect(() => tok.encode('\u0000')).toThrow(/U\+0000/);
  });

  it('decode drops pad/bos/eos but writes other specials as tags', () => {
    const body = tok.encode('<think>1</think><answer>1</answer>');
    expect(tok.decode([tok.bos, ...body, tok.eos, tok.pad, tok.pad])).toBe('<think>1</think><answer>1</answer>');
    expect(tok.decode([tok.pad, tok.bos, tok.eos])).toBe('');
  });

  it('decode of out-of-range ids gives U+FFFD instead of throwing or "undefined"', () => {
    expect(tok.decode([9999, -1, 1.5])).toBe('\uFFFD\uFFFD\uFFFD');
  });

  it('decode accepts typed arrays', () => {
    const ids = tok.encode('12+34=');
    expect(tok.decode(Int32Array.from(ids))).toBe('12+34=');
  });
});

describe('tokenizer.json', () => {
  it('toJSON / fromJSON round trips through JSON text', () => {
    const json = JSON.parse(JSON.stringify(tok.toJSON())) as unknown;
    const t2 = Tokenizer.fromJSON(json);
    expect(t2.vocabSize).toBe(tok.vocabSize);
    expect(t2.toJSON()).toEqual(tok.toJSON());
    const text = '<think>' + PRINTABLE + '\n</think><answer>42</answer>';
    expect(t2.encode(text)).toEqual(tok.encode(text));
    expect(t2.decode(tok.encode(text))).toBe(text);
  });

  it('toJSON describes itself', () => {
    const j = tok.toJSON();
    expect(j.type).toBe('reasonlab-char');
    expect(j.version).toBe(1);
    expect(j.specials).toEqual([...SPECIALS]);
    expect(j.chars.length).toBe(96);
  });

  it('rejects garbage with a clear message', () => {
    const good = tok.toJSON();
    const bad: unknown[] = [
      null,
      undefined,
      42,
      'reasonlab-char',
      [],
      {},
      { ...good, type: 'gpt2-bpe' },
      { ...good, specials: 'pad' },
      { ...good, chars: 12 },
      { type: 'reasonlab-char', version: 1, chars: good.chars },
    ];
    for (const b of bad) expect(() => Tokenizer.fromJSON(b), JSON.stringify(b)).toThrow(/tokenizer\.json: not a reasonlab-char tokenizer/);
  });

  it('rejects a missing special token, naming it', () => {
    const good = tok.toJSON();
    expect(() => Tokenizer.fromJSON({ ...good, specials: good.specials.filter((s) => s !== '</answer>') })).toThrow(
      /tokenizer\.json: missing special token <\/answer>/,
    );
  });

  it('rejects duplicate characters, naming them', () => {
    const good = tok.toJSON();
    expect(() => Tokenizer.fromJSON({ ...good, chars: good.chars + 'a' })).toThrow(/tokenizer\.json: duplicate character "a"/);
  });

  it('rejects an unknown format version rather than misreading it', () => {
    expect(() => Tokenizer.fromJSON({ ...tok.toJSON(), version: 2 })).toThrow(/tokenizer\.json/);
  });
});
