// Reader and writer for the safetensors format (huggingface/safetensors), pure TypeScript with no
// tfjs and no Node APIs so the browser and the CLI write byte-identical checkpoints.
// Layout: u64 little-endian header length N, N bytes of UTF-8 JSON (space-padded so the data
// starts 8-byte aligned), then the raw little-endian byte buffer that the header indexes fully.
// Reading validates everything a hostile or truncated file could get wrong and throws SafetensorsError.

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export interface TensorIn {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface DecodedTensor {
  /** dtype as stored in the file; data is always converted to float32. */
  dtype: string;
  shape: number[];
  data: Float32Array;
}

export interface DecodedSafetensors {
  metadata: Record<string, string>;
  tensors: Map<string, DecodedTensor>;
}

/** The reference implementation's limit; anything larger is a corrupt length, not a real header. */
export const MAX_HEADER_BYTES = 100_000_000;

const ITEM_SIZE: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

// Typed-array views use host byte order; the file is little-endian, so swap only on big-endian hosts.
const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function isDim(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Serialise float32 tensors (in the order given) with optional string metadata. */
export function encodeSafetensors(tensors: TensorIn[], metadata?: Record<string, string>): Uint8Array {
  const fail = (msg: string): never => {
    throw new SafetensorsError(`encodeSafetensors: ${msg}`);
  };
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') fail(`metadata value for ${JSON.stringify(k)} must be a string, got ${typeof v}`);
    }
    header['__metadata__'] = { ...metadata };
  }
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '' || t.name === '__metadata__') fail(`invalid tensor name ${JSON.stringify(t.name)}`);
    if (Object.hasOwn(header, t.name)) fail(`duplicate tensor name ${t.name}`);
    if (!t.shape.every(isDim)) fail(`tensor ${t.name}: shape [${t.shape}] must hold non-negative integers`);
    if (numel(t.shape) !== t.data.length) {
      fail(`tensor ${t.name}: shape [${t.shape}] needs ${numel(t.shape)} values, got ${t.data.length}`);
    }
    const end = offset + t.data.length * 4;
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, end] };
    offset = end;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + n + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, n % 0x100000000, true);
  dv.setUint32(4, Math.floor(n / 0x100000000), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  let pos = 8 + n;
  for (const t of tensors) {
    // Copy raw bits (not values) so NaN payloads survive too.
    const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (HOST_LE) out.set(raw, pos);
    else for (let i = 0; i < raw.length; i += 4) for (let b = 0; b < 4; b++) out[pos + i + b] = raw[i + 3 - b]!;
    pos += raw.length;
  }
  return out;
}

/** Parse and fully validate a safetensors file; every tensor is copied out as a Float32Array. */
export function decodeSafetensors(bytes: Uint8Array, source = 'model.safetensors'): DecodedSafetensors {
  const fail = (msg: string): never => {
    throw new SafetensorsError(`${source}: ${msg}`);
  };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length field`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const n = hi * 0x100000000 + lo; // exact while hi < 2^21; larger values fail the limit anyway
  if (n > MAX_HEADER_BYTES) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + n > bytes.length) fail(`header length ${n} runs past the end of the ${bytes.length}-byte file`);

  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`header must be a JSON object starting with "{", got ${JSON.stringify(text.slice(0, 20))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header JSON is not an object');
  const dup = firstDuplicateKey(text);
  if (dup !== null) fail(`header has duplicate key ${JSON.stringify(dup)}`);

  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('__metadata__ must be an object of strings');
      for (const [k, mv] of Object.entries(v as Record<string, unknown>)) {
        if (typeof mv !== 'string') fail(`__metadata__ value for ${JSON.stringify(k)} must be a string, got ${JSON.stringify(mv)}`);
        metadata[k] = mv as string;
      }
      continue;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`tensor ${name}: entry is not an object`);
    const e = v as Record<string, unknown>;
    for (const f of ['dtype', 'shape', 'data_offsets']) if (!(f in e)) fail(`tensor ${name}: missing ${f}`);
    const { dtype, shape, data_offsets: offs } = e;
    if (typeof dtype !== 'string') fail(`tensor ${name}: dtype must be a string, got ${JSON.stringify(dtype)}`);
    const size = ITEM_SIZE[dtype as string];
    if (size === undefined) fail(`tensor ${name}: unsupported dtype ${dtype} (supported: ${Object.keys(ITEM_SIZE).join(', ')})`);
    if (!Array.isArray(shape) || !shape.every(isDim)) {
      fail(`tensor ${name}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isDim)) {
      fail(`tensor ${name}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    const want = numel(shape as number[]) * size!;
    if (end < begin || end - begin !== want) {
      fail(`tensor ${name}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${dtype} [${shape}] needs ${want}`);
    }
    entries.push({ name, dtype: dtype as string, shape: shape as number[], begin, end });
  }

  const dataStart = 8 + n;
  const bufLen = bytes.length - dataStart;
  for (const t of entries) {
    if (t.end > bufLen) fail(`tensor ${t.name}: data_offsets [${t.begin}, ${t.end}] go past the ${bufLen}-byte data buffer`);
  }
  // The spec requires the buffer to be indexed fully: sorted by begin, each tensor starts where the
  // previous one ended (zero-size tensors may share a position), and the last one ends the file.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let prev = '';
  for (const t of sorted) {
    if (t.begin < cursor) fail(`tensor ${t.name} overlaps tensor ${prev} (bytes ${t.begin}..${cursor})`);
    if (t.begin > cursor) fail(`data buffer has a hole at bytes ${cursor}..${t.begin} (before tensor ${t.name})`);
    cursor = t.end;
    prev = t.name;
  }
  if (cursor !== bufLen) fail(`data buffer has ${bufLen - cursor} trailing bytes not covered by any tensor`);

  const tensors = new Map<string, DecodedTensor>();
  for (const t of entries) {
    const data = toFloat32(bytes.subarray(dataStart + t.begin, dataStart + t.end), t.dtype);
    tensors.set(t.name, { dtype: t.dtype, shape: [...t.shape], data });
  }
  return { metadata, tensors };
}

/** Convert little-endian raw bytes of one dtype to a fresh Float32Array (never an alias). */
function toFloat32(raw: Uint8Array, dtype: string): Float32Array {
  const size = ITEM_SIZE[dtype]!;
  const count = raw.length / size;
  const out = new Float32Array(count);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (dtype === 'F32') {
    // Byte copy keeps the exact bits (a value round trip through a JS number may canonicalise NaNs).
    const dst = new Uint8Array(out.buffer);
    if (HOST_LE) dst.set(raw);
    else for (let i = 0; i < raw.length; i += 4) for (let b = 0; b < 4; b++) dst[i + b] = raw[i + 3 - b]!;
    return out;
  }
  if (dtype === 'F64') {
    // Round to nearest even, as Float32Array assignment does; the only lossy conversion here.
    for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, true);
    return out;
  }
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < count; i++) {
    const h = dv.getUint16(i * 2, true);
    bits[i] = dtype === 'BF16' ? h << 16 >>> 0 : f16ToF32Bits(h);
  }
  return out;
}

/** IEEE half -> single bit pattern; exact for every value, including subnormals, Inf and NaN payloads. */
export function f16ToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // Subnormal half: renormalise; every half subnormal is a normal single.
  let e = 1;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return (sign | ((e - 15 + 127) << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

/**
 * First repeated top-level key in (already valid) JSON text, or null. JSON.parse keeps the last
 * duplicate silently, and the spec forbids duplicates, so scan the keys ourselves.
 */
function firstDuplicateKey(text: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
  }
  return null;
}
