// Countdown expressions: the tree type of gold solutions and its minimal-parentheses rendering,
// exact rational arithmetic, and the answer parser (recursive descent over + - * / and parentheses
// on decimal integers, evaluated with BigInt fractions). Never evaluates model text as code; caps
// length and nesting so hostile input stays cheap.

export type CountdownOp = '+' | '-' | '*' | '/';

/** A solution as a binary tree over the given numbers. */
export type CountdownExpr = { kind: 'num'; value: number } | { kind: 'op'; op: CountdownOp; l: CountdownExpr; r: CountdownExpr };

const PREC: Record<CountdownOp, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

/** Minimal-parentheses rendering (left associative; a-(b+c) and a/(b*c) keep theirs). */
export function renderExpr(e: CountdownExpr): string {
  if (e.kind === 'num') return String(e.value);
  const p = PREC[e.op];
  const l = renderExpr(e.l);
  const r = renderExpr(e.r);
  const lp = e.l.kind === 'op' && PREC[e.l.op] < p;
  const rp = e.r.kind === 'op' && (PREC[e.r.op] < p || (PREC[e.r.op] === p && (e.op === '-' || e.op === '/')));
  return `${lp ? `(${l})` : l}${e.op}${rp ? `(${r})` : r}`;
}

/** Caps on the answer parser (hostile input stays cheap). */
export const MAX_EXPR_CHARS = 200;
export const MAX_DEPTH = 20;

// ---------------------------------------------------------------------------------------------
// Exact rationals (BigInt), always reduced with a positive denominator.

export interface Rat {
  n: bigint;
  d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** n/d reduced; null when d = 0. */
export function rat(n: bigint, d: bigint): Rat | null {
  if (d === 0n) return null;
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

/** x op y exactly; null on division by zero. */
export function applyOp(x: Rat, op: CountdownOp, y: Rat): Rat | null {
  switch (op) {
    case '+':
      return rat(x.n * y.d + y.n * x.d, x.d * y.d);
    case '-':
      return rat(x.n * y.d - y.n * x.d, x.d * y.d);
    case '*':
      return rat(x.n * y.n, x.d * y.d);
    case '/':
      return y.n === 0n ? null : rat(x.n * y.d, x.d * y.n);
  }
}

export const ratEq = (a: Rat, b: Rat) => a.n === b.n && a.d === b.d;

/** Short display of a rational for messages: `7`, `-4`, `(3/4)`; long values are cut. */
export function showRat(r: Rat): string {
  const s = r.d === 1n ? r.n.toString() : `(${r.n}/${r.d})`;
  return s.length > 30 ? `${s.slice(0, 27)}...` : s;
}

/** Model text quoted and cut for messages. */
export const quote = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);

// ---------------------------------------------------------------------------------------------
// The answer parser: expr := term (('+'|'-') term)*, term := factor (('*'|'/') factor)*,
// factor := NUMBER | '(' expr ')'. Spaces between tokens are skipped. Evaluates as it parses.

export type ExprResult = { ok: true; value: Rat; numbers: string[] } | { ok: false; error: string };

class ParseError extends Error {}

class ExprParser {
  private pos = 0;
  private depth = 0;
  readonly numbers: string[] = [];
  constructor(private readonly s: string) {}

  private skip(): void {
    while (this.pos < this.s.length && this.s[this.pos] === ' ') this.pos++;
  }

  private peek(): string | undefined {
    this.skip();
    return this.s[this.pos];
  }

  private fail(what: string): never {
    throw new ParseError(`${what} at column ${this.pos + 1}`);
  }

  parseAll(): Rat {
    if (this.peek() === undefined) throw new ParseError('empty expression');
    const v = this.expr();
    const c = this.peek();
    if (c !== undefined) this.fail(c === ')' ? 'unmatched ")"' : `unexpected ${quote(c)}`);
    return v;
  }

  private expr(): Rat {
    let v = this.term();
    for (let c = this.peek(); c === '+' || c === '-'; c = this.peek()) {
      this.pos++;
      v = applyOp(v, c, this.term())!; // + and - never fail
    }
    return v;
  }

  private term(): Rat {
    let v = this.factor();
    for (let c = this.peek(); c === '*' || c === '/'; c = this.peek()) {
      const at = this.pos;
      this.pos++;
      const r = applyOp(v, c, this.factor());
      if (r === null) throw new ParseError(`division by zero (the "/" at column ${at + 1})`);
      v = r;
    }
    return v;
  }

  private factor(): Rat {
    const c = this.peek();
    if (c === undefined) this.fail('expression ends early');
    if (c === '-') this.fail('unary minus is not allowed');
    if (c === '+') this.fail('unary plus is not allowed');
    if (c === '(') {
      if (++this.depth > MAX_DEPTH) this.fail(`parentheses nested deeper than ${MAX_DEPTH}`);
      this.pos++;
      const v = this.expr();
      if (this.peek() !== ')') this.fail('expected ")"');
      this.pos++;
      this.depth--;
      return v;
    }
    if (c >= '0' && c <= '9') {
      const start = this.pos;
      while (this.pos < this.s.length && this.s[this.pos]! >= '0' && this.s[this.pos]! <= '9') this.pos++;
      const lit = this.s.slice(start, this.pos);
      if (lit.length > 1 && lit[0] === '0') {
        this.pos = start;
        this.fail(`number ${quote(lit)} has a leading zero`);
      }
      this.numbers.push(lit);
      return { n: BigInt(lit), d: 1n };
    }
    this.fail(`unexpected ${quote(c)}`);
  }
}

/** Parse and evaluate an answer expression exactly. Never throws. */
export function evaluateExpression(text: string): ExprResult {
  if (text.length > MAX_EXPR_CHARS) return { ok: false, error: `longer than ${MAX_EXPR_CHARS} characters (${text.length})` };
  const p = new ExprParser(text);
  try {
    const value = p.parseAll();
    return { ok: true, value, numbers: p.numbers };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.message };
    throw e;
  }
}
