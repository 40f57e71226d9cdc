// The calculator tool's arithmetic: decimal integers joined by + - * (no parentheses, no unary
// signs, no spaces), `*` binding tighter, evaluated exactly with BigInt. A hand-written scanner,
// never eval: model text is data. Length, literal size and result size are capped so hostile
// input stays cheap, and errors are short ASCII phrases (at most 24 characters, no tags) that never echo the model's text.

/** Longest expression the tool reads, in characters. */
export const MAX_CALC_CHARS = 64;
/** Most digits in one number literal. */
export const MAX_LITERAL_DIGITS = 18;
/** Results with more digits than this are refused. */
export const MAX_RESULT_DIGITS = 36;

export type CalcResult = { ok: true; value: bigint } | { ok: false; error: string };

const isDigit = (c: string) => c >= '0' && c <= '9';

/** Evaluate `expr` exactly, or say (briefly, in plain ASCII) why not. */
export function evalCalc(expr: string): CalcResult {
  if (expr.length === 0) return { ok: false, error: 'empty expression' };
  if (expr.length > MAX_CALC_CHARS) return { ok: false, error: `over ${MAX_CALC_CHARS} chars` };
  // Tokens: numbers and operators, strictly alternating, starting and ending with a number.
  const nums: bigint[] = [];
  const ops: string[] = [];
  let i = 0;
  while (i < expr.length) {
    const start = i;
    while (i < expr.length && isDigit(expr[i]!)) i++;
    if (i === start) {
      const c = expr[i]!;
      if (c === '+' || c === '-' || c === '*') return { ok: false, error: `no number at ${i + 1}` };
      return { ok: false, error: `bad char at ${i + 1}` };
    }
    if (i - start > MAX_LITERAL_DIGITS) return { ok: false, error: `number over ${MAX_LITERAL_DIGITS} digits` };
    nums.push(BigInt(expr.slice(start, i)));
    if (i === expr.length) break;
    const c = expr[i]!;
    if (c !== '+' && c !== '-' && c !== '*') return { ok: false, error: `bad char at ${i + 1}` };
    ops.push(c);
    i++;
    if (i === expr.length) return { ok: false, error: 'ends with an operator' };
  }
  // Precedence in one pass: fold products into terms, then sum the signed terms.
  const limit = 10n ** BigInt(MAX_RESULT_DIGITS);
  let total = 0n;
  let sign = 1n;
  let term = nums[0]!;
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k]!;
    const next = nums[k + 1]!;
    if (op === '*') {
      term *= next;
      if (term >= limit) return { ok: false, error: `result over ${MAX_RESULT_DIGITS} digits` };
    } else {
      total += sign * term;
      sign = op === '+' ? 1n : -1n;
      term = next;
    }
  }
  total += sign * term;
  if (total >= limit || total <= -limit) return { ok: false, error: `result over ${MAX_RESULT_DIGITS} digits` };
  return { ok: true, value: total };
}

/** A non-negative value left-padded with zeros to `width` (negatives are written plainly). */
export function padValue(v: bigint, width: number): string {
  return v < 0n ? String(v) : String(v).padStart(width, '0');
}
