// The two multiplication traces as lists of labelled steps, and the reason text for a wrong step.
// `digits`: one step per digit product and per column sum, each a single-digit operation whose
// operands are written out, so every next token is a lookup or one small operation. `partial`:
// whole partial products and running sums (the version-1 trace, kept as a format knob).

export interface MulProblem {
  a: string;
  b: string;
}

/** One gold step: its text, what it computes (for messages), and where each operand comes from. */
export interface MulStep {
  text: string;
  label: string;
  /** Digit-format steps only: the operand digits in order, with where each one comes from. */
  operands?: { digit: number; from: string }[];
  /** Digit-format steps only: the two-digit result. */
  result?: string;
}

const digitAt = (s: string, i: number) => (i < s.length ? Number(s[s.length - 1 - i]) : 0);
const two = (n: number) => (n < 10 ? `0${n}` : String(n));
const th = (n: number) => `${n}${n === 1 ? 'st' : n === 2 ? 'nd' : n === 3 ? 'rd' : 'th'}`;

/**
 * The digit-level trace. Row j (digit j of b from the right) multiplies a digit by digit from the
 * right, `x*y+c=RR`: x the digit of a, y the digit of b, c the carry (the first result digit of the
 * step before, 0 at the start of a row), RR the result as exactly two digits. Row j's digits are the
 * second result digit of each of its steps, then the first digit of its last step; row j starts
 * at column j. With two or more rows, one step per column k >= 1 adds the rows' digits in that
 * column (0 where a row has none, row 0 first) and the carry: `r0+r1+c=SS`, again two digits.
 * Column 0 holds row 0's first digit alone, so it needs no step. Returns the steps and the
 * product's digits, least significant first (leading zeros kept).
 */
export function digitSteps(p: MulProblem): { steps: MulStep[]; digits: number[] } {
  const nA = p.a.length;
  const nB = p.b.length;
  const steps: MulStep[] = [];
  const rows: number[][] = [];
  /** For row j and digit position d, the 1-based step and which result digit holds it. */
  const where = (j: number, d: number) => (d < nA ? `the 2nd digit of step ${j * nA + d + 1}` : `the 1st digit of step ${j * nA + nA}`);
  for (let j = 0; j < nB; j++) {
    const y = digitAt(p.b, j);
    const row: number[] = [];
    let carry = 0;
    for (let i = 0; i < nA; i++) {
      const x = digitAt(p.a, i);
      const v = x * y + carry;
      steps.push({
        text: `${x}*${y}+${carry}=${two(v)}`,
        label: `row ${j + 1}: ${th(i + 1)} digit of ${p.a} times ${th(j + 1)} digit of ${p.b}`,
        operands: [
          { digit: x, from: `the ${th(i + 1)} digit of ${p.a} from the right` },
          { digit: y, from: `the ${th(j + 1)} digit of ${p.b} from the right` },
          { digit: carry, from: i === 0 ? 'no carry at the start of a row' : `the 1st digit of step ${steps.length}` },
        ],
        result: two(v),
      });
      row.push(v % 10);
      carry = Math.floor(v / 10);
    }
    row.push(carry);
    rows.push(row);
  }
  if (nB === 1) return { steps, digits: rows[0]! };

  const digits = [rows[0]![0]!];
  let carry = 0;
  for (let k = 1; k < nA + nB; k++) {
    const operands: { digit: number; from: string }[] = [];
    for (let j = 0; j < nB; j++) {
      const d = k - j;
      const has = d >= 0 && d <= nA;
      operands.push({ digit: has ? rows[j]![d]! : 0, from: has ? `row ${j + 1}'s digit in column ${k}, ${where(j, d)}` : `row ${j + 1} has no digit in column ${k}` });
    }
    operands.push({ digit: carry, from: k === 1 ? 'no carry into column 1' : `the 1st digit of step ${steps.length}` });
    const s = operands.reduce((t, o) => t + o.digit, 0);
    steps.push({ text: `${operands.map((o) => o.digit).join('+')}=${two(s)}`, label: `column ${k} sum`, operands, result: two(s) });
    digits.push(s % 10);
    carry = Math.floor(s / 10);
  }
  return { steps, digits };
}

/** A canonical number shifted left by `i` places, written with explicit trailing zeros. */
function shifted(p: string, i: number): string {
  return p === '0' ? '0' : p + '0'.repeat(i);
}

/**
 * The version-1 trace: `A*d=P` per digit of b (least significant first, unshifted), then running
 * sums `S+Q=T` with Q the i-th partial product shifted by i trailing zeros. Sizes stay below 10^7,
 * so plain JS numbers are exact.
 */
export function partialSteps(p: MulProblem): { steps: MulStep[]; product: string } {
  const a = Number(p.a);
  const steps: MulStep[] = [];
  const partials: string[] = [];
  for (let i = 0; i < p.b.length; i++) {
    const d = Number(p.b[p.b.length - 1 - i]);
    const prod = String(a * d);
    partials.push(prod);
    steps.push({ text: `${p.a}*${d}=${prod}`, label: 'partial product' });
  }
  let sum = partials[0]!;
  for (let i = 1; i < partials.length; i++) {
    const q = shifted(partials[i]!, i);
    const next = String(Number(sum) + Number(q));
    steps.push({ text: `${sum}+${q}=${next}`, label: 'running sum' });
    sum = next;
  }
  return { steps, product: sum };
}

export const quote = (s: string) => JSON.stringify(s.slice(0, 40));

/**
 * Why `got` is not the gold step `want`: for a digit step with the same shape (same operators,
 * one digit per operand), the first operand that differs and where it should come from, or else
 * the right result; otherwise nothing beyond "expected X, got Y".
 */
function why(want: MulStep, got: string): string {
  if (!want.operands || !want.result || got.length !== want.text.length) return '';
  for (let i = 0; i < got.length; i++) {
    const isDigit = got[i]! >= '0' && got[i]! <= '9';
    if (isDigit !== (want.text[i]! >= '0' && want.text[i]! <= '9')) return '';
    if (!isDigit && got[i] !== want.text[i]) return '';
  }
  for (let i = 0; i < want.operands.length; i++) {
    const g = got[2 * i]!;
    const o = want.operands[i]!;
    if (g !== String(o.digit)) return `: the ${i === want.operands.length - 1 ? 'carry' : th(i + 1) + ' operand'} is ${o.digit} (${o.from}), not ${g}`;
  }
  return `: ${want.text.slice(0, -3)} is ${want.result}, not ${got.slice(-2)}`;
}

/** The first step where `got` differs from the gold steps (1-based), with a reason; null if none. */
export function firstWrongStep(want: readonly MulStep[], got: readonly string[]): { step: number; reason: string } | null {
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    const w = want[i];
    const g = got[i];
    if (w !== undefined && g === w.text) continue;
    const reason =
      g === undefined
        ? `missing step ${i + 1} (${w!.label}, expected ${w!.text})`
        : w === undefined
          ? `extra step ${i + 1}: ${quote(g)}`
          : `step ${i + 1} (${w.label}): expected ${w.text}, got ${quote(g)}${why(w, g)}`;
    return { step: i + 1, reason };
  }
  return null;
}
