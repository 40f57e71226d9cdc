// The boolean task's `circuit` format: the formula shown as named gates, evaluated gate by gate.
// Every binary operator of the formula is one gate, named A, B, C, ... in post-order (the order the
// canonical reduction applies them); its operands are literals: a variable, a constant or an
// earlier gate, each with an explicit sign (`+` as is, `!` negated). The last gate is the formula.
//   formula `(a&!b)|(b&c)`  ->  prompt `a=1,b=0,c=1;A=+a&!b;B=+b&+c;C=+A|+B?`
//   trace   `A=+a1&!b0=1,B=+b0&+c1=0,C=+A1|+B0=1`   answer `1`
// A step is the gate's name, each operand (sign, symbol, the symbol's value) and the gate's value.
// Why (measured, docs/EXPERIMENTS.md "What lets copying form"): every next token must come from
// one lookup or one small operation. In the `rewrite` trace every step re-copies the whole
// formula, a long copy a 100k-parameter model did not learn (it wrote the formula's shape with the
// wrong symbols). Here the generator makes full trees and every literal has two characters, so at
// fixed knobs every prompt has the same length and every gate and step its fixed place: the sign
// and symbol a step copies are always the same number of positions back, which learned absolute
// positions find at once. The symbol is written before its value, so the value is one lookup keyed
// by the token just written (the variable's value in the assignment, or an earlier gate's value in
// the trace), not a lookup of a lookup. The gate's value is then one operation on the five
// characters before it.

/** A formula's syntax tree (boolean.ts parses and generates it; the circuit trace walks it). */
export type Expr =
  | { k: 'const'; v: 0 | 1 }
  | { k: 'var'; name: string }
  | { k: 'not'; x: Expr }
  | { k: 'bin'; op: '&' | '|'; l: Expr; r: Expr };

const GATE_NAMES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export interface Gate {
  name: string;
  op: '&' | '|';
  /** Operand literals as written in the prompt: `+a`, `!b`, `+1`, `+A`, `!B` (`!!a` for a double negation). */
  l: string;
  r: string;
}

/** Gates of a formula tree in post-order. Negation of a whole sub-formula is written on its literal. */
export function gatesOf(e: Expr): { gates: Gate[]; out: string } {
  const gates: Gate[] = [];
  const lit = (x: Expr): string => {
    switch (x.k) {
      case 'const':
        return '+' + String(x.v);
      case 'var':
        return '+' + x.name;
      case 'not': {
        const inner = lit(x.x);
        return inner.startsWith('+') ? '!' + inner.slice(1) : '!' + inner;
      }
      case 'bin': {
        const l = lit(x.l);
        const r = lit(x.r);
        const name = GATE_NAMES[gates.length];
        if (name === undefined) throw new Error(`formula has more than ${GATE_NAMES.length} binary operators`);
        gates.push({ name, op: x.op, l, r });
        return '+' + name;
      }
    }
  };
  return { gates, out: lit(e) };
}

/** `A=+a&!b;B=+b&+c;C=+A|+B` */
export const circuitText = (gates: readonly Gate[]): string => gates.map((g) => `${g.name}=${g.l}${g.op}${g.r}`).join(';');

/** The gate-by-gate trace steps and the answer, given the variables' values ('0'/'1' per a, b, ...). */
export function circuitSteps(gates: readonly Gate[], out: string, values: string): { steps: string[]; answer: string } {
  const val = new Map<string, string>();
  for (let i = 0; i < values.length; i++) val.set('abcde'[i]!, values[i]!);
  // The value of a literal's symbol (before its sign), and of the literal (after it).
  const symbolValue = (l: string): string => {
    let i = 0;
    while (l[i] === '!' || l[i] === '+') i++;
    const sym = l.slice(i);
    return sym === '0' || sym === '1' ? sym : val.get(sym) ?? '?';
  };
  const value = (l: string): string => {
    let neg = 0;
    for (const ch of l) if (ch === '!') neg++;
    const b = symbolValue(l) === '1';
    return (neg % 2 === 1 ? !b : b) ? '1' : '0';
  };
  // A literal followed by its symbol's value: `!b` -> `!b0`, `+A` -> `+A1`, `+1` -> `+11`.
  const named = (l: string) => l + symbolValue(l);
  const steps: string[] = [];
  for (const g of gates) {
    const a = value(g.l) === '1';
    const b = value(g.r) === '1';
    const v = (g.op === '&' ? a && b : a || b) ? '1' : '0';
    steps.push(`${g.name}=${named(g.l)}${g.op}${named(g.r)}=${v}`);
    val.set(g.name, v);
  }
  return { steps, answer: value(out) };
}
