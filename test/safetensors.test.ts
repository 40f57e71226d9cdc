// safetensors writer/reader: files are re-parsed here straight from the spec (u64 LE length, JSON,
// contiguous offsets) rather than through the decoder, values are compared bit for bit, and every
// kind of corruption must give a SafetensorsError naming the source, never a TypeError.

import { describe, it, expect } from 'vitest';
import { decodeSafetensors, encodeSafetensors, MAX_HEADER_BYTES, SafetensorsError } from '../src/model/safetensors.ts';

/** Parse a file per the spec, independently of decodeSafetensors. */
function parseBySpec(bytes: Uint8Array) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  const raw = bytes.subarray(8, 8 + n);
  const header = JSON.parse(new TextDecoder().decode(raw)) as Record<string, any>;
  return { n, raw, header, dataLen: bytes.length - 8 - n };
}

const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Hand-build a file: header object or raw string, padded with spaces to 8 bytes, then data. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  let json = new TextEncoder().encode(text);
  const padded = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  padded.set(json);
  json = padded;
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectError(fn: () => unknown, pattern: RegExp, source = 'bad.st'): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SafetensorsError);
  const msg = (err as Error).message;
  expect(msg).toContain(source);
  expect(msg).toMatch(pattern);
  expect(msg).not.toContain('\n');
}

describe('encodeSafetensors', () => {
  it('writes a header that the spec parses: aligned, space-padded, contiguous offsets in order', () => {
    // Name lengths 1..16 move the header length through every residue mod 8.
    for (let len = 1; len <= 16; len++) {
      const tensors = [
        { name: 'x'.repeat(len), shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
        { name: 'b', shape: [1], data: new Float32Array([7]) },
        { name: 'a', shape: [0], data: new Float32Array(0) },
        { name: 's', shape: [], data: new Float32Array([8]) },
      ];
      const bytes = encodeSafetensors(tensors, { format: 'pt' });
      const { n, raw, header, dataLen } = parseBySpec(bytes);
      expect((8 + n) % 8).toBe(0);
      const text = new TextDecoder().decode(raw);
      expect(text.startsWith('{')).toBe(true);
      expect(text.slice(text.lastIndexOf('}') + 1)).toMatch(/^ *$/);
      expect(header['__metadata__']).toEqual({ format: 'pt' });
      const names = Object.keys(header).filter((k) => k !== '__metadata__');
      expect(names).toEqual(tensors.map((t) => t.name)); // order given, not sorted
      let cursor = 0;
      for (const t of tensors) {
        const e = header[t.name];
        expect(e.dtype).toBe('F32');
        expect(e.shape).toEqual(t.shape);
        expect(e.data_offsets).toEqual([cursor, cursor + 4 * t.data.length]);
        cursor = e.data_offsets[1];
      }
      expect(dataLen).toBe(cursor);
    }
  });

  it('writes the data little-endian', () => {
    const bytes = encodeSafetensors([{ name: 'w', shape: [2], data: new Float32Array([1, -2]) }]);
    const { n } = parseBySpec(bytes);
    expect(Array.from(bytes.subarray(8 + n))).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
  });

  it('omits __metadata__ when there is none', () => {
    for (const md of [undefined, {}]) {
      const { header } = parseBySpec(encodeSafetensors([{ name: 'w', shape: [1], data: new Float32Array([1]) }], md));
      expect(Object.keys(header)).toEqual(['w']);
    }
  });

  it('rejects inconsistent input', () => {
    const d = new Float32Array(3);
    expect(() => encodeSafetensors([{ name: 'w', shape: [2, 2], data: d }])).toThrow(SafetensorsError);
    expect(() => encodeSafetensors([{ name: 'w', shape: [-3], data: d }])).toThrow(/non-negative/);
    expect(() => encodeSafetensors([{ name: 'w', shape: [3], data: d }, { name: 'w', shape: [3], data: d }])).toThrow(/duplicate/);
    expect(() => encodeSafetensors([{ name: '__metadata__', shape: [3], data: d }])).toThrow(/invalid tensor name/);
  });
});

describe('round trip', () => {
  it('returns the same names, shapes, metadata and bits', () => {
    const special = new Float32Array(12);
    const u = new Uint32Array(special.buffer);
    u.set([
      0x80000000, // -0
      0x7f800000, // +Infinity
      0xff800000, // -Infinity
      0x00000001, // smallest subnormal
      0x807fffff, // largest negative subnormal
      0x7f7fffff, // largest finite
      0x00800000, // smallest normal
      0x7fc00000, // canonical NaN
      0x3f800000, // 1
      0x3eaaaaab, // 1/3 rounded
      0x00000000, // +0
      0x7fa00001, // NaN with a payload: kept too, because the bytes are copied, not the values
    ]);
    const rnd = Float32Array.from({ length: 35 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453);
    const tensors = [
      { name: 'special', shape: [3, 4], data: special },
      { name: 'empty', shape: [0], data: new Float32Array(0) },
      { name: 'empty2d', shape: [5, 0], data: new Float32Array(0) },
      { name: 'scalar', shape: [], data: new Float32Array([-1.5]) },
      { name: 'layer.0.w', shape: [5, 7], data: rnd },
    ];
    const md = { format: 'pt', note: 'ünïcode ✓ "quoted"' };
    const out = decodeSafetensors(encodeSafetensors(tensors, md));
    expect(out.metadata).toEqual(md);
    expect([...out.tensors.keys()]).toEqual(tensors.map((t) => t.name));
    for (const t of tensors) {
      const d = out.tensors.get(t.name)!;
      expect(d.dtype).toBe('F32');
      expect(d.shape).toEqual(t.shape);
      expect(bitsOf(d.data)).toEqual(bitsOf(t.data));
    }
    expect(Object.is(out.tensors.get('special')!.data[0], -0)).toBe(true);
  });

  it('round trips an empty file (no tensors, empty metadata)', () => {
    const bytes = encodeSafetensors([], {});
    expect(bytes.length % 8).toBe(0);
    const out = decodeSafetensors(bytes);
    expect(out.metadata).toEqual({});
    expect(out.tensors.size).toBe(0);
  });

  it('reads from an unaligned view and copies the data out', () => {
    const file = encodeSafetensors([{ name: 'w', shape: [3], data: new Float32Array([1, 2, 3]) }]);
    const big = new Uint8Array(file.length + 3);
    big.set(file, 3);
    const view = big.subarray(3);
    const out = decodeSafetensors(view).tensors.get('w')!;
    expect(Array.from(out.data)).toEqual([1, 2, 3]);
    view.fill(0, 8); // clobber the source: the decoded tensor must not alias it
    expect(Array.from(out.data)).toEqual([1, 2, 3]);
    expect(out.data.buffer).not.toBe(big.buffer);
  });
});

describe('other dtypes', () => {
  const u16le = (xs: number[]) => {
    const b = new Uint8Array(xs.length * 2);
    xs.forEach((x, i) => new DataView(b.buffer).setUint16(i * 2, x, true));
    return b;
  };

  it('decodes F16 exactly, incl. subnormals, signed zero and infinities', () => {
    // [half bits, value computed by hand from sign * 2^(e-15) * 1.m or 2^-14 * 0.m]
    const cases: [number, number][] = [
      [0x3c00, 1],
      [0xc000, -2],
      [0x3800, 0.5],
      [0x3555, 1365 / 4096], // 2^-2 * (1 + 341/1024)
      [0x7bff, 65504], // largest half
      [0x0400, 2 ** -14], // smallest normal
      [0x0001, 2 ** -24], // smallest subnormal
      [0x03ff, 1023 * 2 ** -24], // largest subnormal
      [0x8001, -(2 ** -24)],
      [0x8000, -0],
      [0x0000, 0],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
    ];
    const file = craft({ h: { dtype: 'F16', shape: [cases.length], data_offsets: [0, cases.length * 2] } }, u16le(cases.map((c) => c[0])));
    const d = decodeSafetensors(file).tensors.get('h')!;
    expect(d.dtype).toBe('F16');
    cases.forEach(([, v], i) => expect(Object.is(d.data[i], v)).toBe(true));
    const nan = craft({ h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, u16le([0x7e00]));
    expect(Number.isNaN(decodeSafetensors(nan).tensors.get('h')!.data[0])).toBe(true);
  });

  it('decodes BF16 exactly (the top half of an F32)', () => {
    const cases: [number, number][] = [
      [0x3f80, 1],
      [0xc040, -3],
      [0x4049, 3.140625], // 2 * (1 + 73/128)
      [0x0001, 2 ** -133], // f32 bits 0x00010000, a subnormal
      [0x7f7f, (2 - 2 ** -7) * 2 ** 127], // largest finite bf16
      [0x8000, -0],
      [0x7f80, Infinity],
    ];
    const file = craft({ b: { dtype: 'BF16', shape: [cases.length], data_offsets: [0, cases.length * 2] } }, u16le(cases.map((c) => c[0])));
    const d = decodeSafetensors(file).tensors.get('b')!;
    cases.forEach(([, v], i) => expect(Object.is(d.data[i], v)).toBe(true));
  });

  it('decodes F64 with round-to-nearest to float32', () => {
    const vals = [1.5, -0, 0.1, 1e-50, 1e300, -1e300];
    const raw = new Uint8Array(vals.length * 8);
    vals.forEach((v, i) => new DataView(raw.buffer).setFloat64(i * 8, v, true));
    const d = decodeSafetensors(craft({ d: { dtype: 'F64', shape: [2, 3], data_offsets: [0, raw.length] } }, raw)).tensors.get('d')!;
    expect(d.shape).toEqual([2, 3]);
    const want = [1.5, -0, Math.fround(0.1), 0, Infinity, -Infinity];
    want.forEach((v, i) => expect(Object.is(d.data[i], v)).toBe(true));
  });

  it('reads an F32 tensor that starts at an odd offset after an F16 one', () => {
    const data = new Uint8Array(6 + 4);
    new DataView(data.buffer).setUint16(0, 0x3c00, true);
    new DataView(data.buffer).setUint16(2, 0x4000, true);
    new DataView(data.buffer).setUint16(4, 0x4200, true);
    new DataView(data.buffer).setFloat32(6, -7.25, true);
    const out = decodeSafetensors(craft({
      h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
      f: { dtype: 'F32', shape: [1], data_offsets: [6, 10] },
    }, data));
    expect(Array.from(out.tensors.get('h')!.data)).toEqual([1, 2, 3]);
    expect(Array.from(out.tensors.get('f')!.data)).toEqual([-7.25]);
  });
});

describe('decodeSafetensors rejects corrupt files with SafetensorsError naming the source', () => {
  const f32 = (n: number) => new Uint8Array(4 * n);
  const one = (entry: unknown, data = f32(1)) => craft({ w: entry }, data);
  const dec = (b: Uint8Array) => () => decodeSafetensors(b, 'bad.st');

  it('short file and bad header length', () => {
    expectError(dec(new Uint8Array(0)), /0 bytes, shorter than/);
    expectError(dec(new Uint8Array(7)), /7 bytes, shorter than/);
    const past = craft({}, new Uint8Array(0));
    new DataView(past.buffer).setUint32(0, past.length, true); // claims more than is there
    expectError(dec(past), /runs past the end/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setUint32(0, MAX_HEADER_BYTES + 1, true);
    expectError(dec(huge), /exceeds the 100000000-byte limit/);
    const u64 = new Uint8Array(16).fill(0xff); // 2^64 - 1
    expectError(dec(u64), /exceeds/);
  });

  it('header not UTF-8, not JSON, not an object, or with duplicate keys', () => {
    const bad = craft('{"w":1}');
    bad[10] = 0xff; // invalid UTF-8 byte inside the header
    expectError(dec(bad), /not valid UTF-8/);
    expectError(dec(craft('{"w": {"dtype": "F32",')), /not valid JSON/);
    expectError(dec(craft('[1, 2]')), /JSON object/);
    expectError(dec(craft('"text"')), /JSON object/);
    expectError(dec(craft('null')), /JSON object/);
    expectError(dec(craft(' {}')), /JSON object/); // the spec: header starts with '{'
    const e = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    expectError(dec(craft(`{"w":${e},"w":${e}}`, f32(1))), /duplicate key "w"/);
  });

  it('tensor entries that are incomplete or malformed', () => {
    expectError(dec(one(5)), /tensor w: entry is not an object/);
    expectError(dec(one({ shape: [1], data_offsets: [0, 4] })), /tensor w: missing dtype/);
    expectError(dec(one({ dtype: 'F32', data_offsets: [0, 4] })), /tensor w: missing shape/);
    expectError(dec(one({ dtype: 'F32', shape: [1] })), /tensor w: missing data_offsets/);
    expectError(dec(one({ dtype: 'I32', shape: [1], data_offsets: [0, 4] })), /unsupported dtype I32/);
    expectError(dec(one({ dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] })), /unsupported dtype F8_E4M3/);
    expectError(dec(one({ dtype: 32, shape: [1], data_offsets: [0, 4] })), /dtype must be a string/);
    for (const shape of [[-1], [1.5], ['1'], [null], 'x', { 0: 1 }]) {
      expectError(dec(one({ dtype: 'F32', shape, data_offsets: [0, 4] })), /shape must be an array of non-negative integers/);
    }
    for (const offs of [[0], [0, 4, 8], [-4, 0], [0, '4'], [0.5, 4.5], null]) {
      expectError(dec(one({ dtype: 'F32', shape: [1], data_offsets: offs })), /data_offsets must be/);
    }
  });

  it('offsets that disagree with the shape or leave the buffer', () => {
    expectError(dec(one({ dtype: 'F32', shape: [3], data_offsets: [0, 8] }, f32(2))), /span 8 bytes but F32 \[3\] needs 12/);
    expectError(dec(one({ dtype: 'F16', shape: [2], data_offsets: [0, 8] }, f32(2))), /needs 4/);
    expectError(dec(one({ dtype: 'F32', shape: [1], data_offsets: [8, 4] }, f32(2))), /span -4 bytes/);
    expectError(dec(one({ dtype: 'F32', shape: [4], data_offsets: [0, 16] }, f32(3))), /go past the 12-byte data buffer/);
  });

  it('overlaps, holes and trailing bytes (the buffer must be fully indexed)', () => {
    const e = (a: number, b: number) => ({ dtype: 'F32', shape: [(b - a) / 4], data_offsets: [a, b] });
    expectError(dec(craft({ a: e(0, 8), b: e(4, 12) }, f32(3))), /tensor b overlaps tensor a/);
    expectError(dec(craft({ a: e(0, 8), b: e(0, 8) }, f32(2))), /overlaps/);
    expectError(dec(craft({ a: e(0, 4), b: e(8, 12) }, f32(3))), /hole at bytes 4\.\.8/);
    expectError(dec(craft({ b: e(4, 8) }, f32(2))), /hole at bytes 0\.\.4/);
    expectError(dec(craft({ a: e(0, 4) }, f32(2))), /4 trailing bytes/);
    expectError(dec(craft({}, f32(1))), /4 trailing bytes/);
    // Zero-size tensors may sit anywhere in the sequence without being a hole or overlap.
    const ok = decodeSafetensors(craft({ z: e(4, 4), a: e(0, 4), y: e(0, 0), b: e(4, 8) }, f32(2)), 'ok.st');
    expect([...ok.tensors.keys()]).toEqual(['z', 'a', 'y', 'b']);
  });

  it('__metadata__ that is not a map of strings', () => {
    expectError(dec(craft({ __metadata__: { format: 1 } })), /__metadata__ value for "format" must be a string/);
    expectError(dec(craft({ __metadata__: { a: null } })), /__metadata__ value for "a"/);
    expectError(dec(craft({ __metadata__: ['pt'] })), /__metadata__ must be an object/);
    expectError(dec(craft({ __metadata__: 'pt' })), /__metadata__ must be an object/);
  });

  it('uses model.safetensors as the default source name', () => {
    expectError(() => decodeSafetensors(new Uint8Array(3)), /shorter/, 'model.safetensors');
  });
});
