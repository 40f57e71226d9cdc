// The boolean task's `circuit` format: the formula shown as named gates, evaluated gate by gate.
// Every binary operator of the formula is one gate, named A, B, C, ... in post-order (the order the
// canonical reduction applies them); its operands are literals: a variable, a constant or an
// earlier gate, each possibly negated. The last gate is the formula.
//   formula `(a&!b)|(b&c)`  ->  prompt `a=1,b=0,c=1;A=a&!b;B=b&c;C=A|B?`
//   trace   `A=1&!0=1,B=0&1=0,C=1|0=1`   (gate = operands' values = gate's value)   answer `1`
// Why: in the `rewrite` trace every step re-copies the whole formula, a long position-aligned copy
// a 100k-parameter model did not learn (it wrote the formula's shape with the wrong symbols). Here
// every next trace token is one lookup (the gate's definition by name, a variable's value in the
// assignment, an earlier gate's value in the trace) or one small operation (!, & or | on 0/1).

import type { Expr } from './boolean.ts';

const GATE_NAMES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export interface Gate {
  name: string;
  op: '&' | '|';
  /** Operand literals as written in the prompt: `a`, `!b`, `1`, `A`, `!B`. */
  l: string;
  r: string;
}

/** Gates of a formula tree in post-order. Negation of a whole sub-formula is written on its literal. */
export function gatesOf(e: Expr): { gates: Gate[]; out: string } {
  const gates: Gate[] = [];
  const lit = (x: Expr): string => {
    switch (x.k) {
      case 'const':
        return String(x.v);
      case 'var':
        return x.name;
      case 'not':
        return '!' + lit(x.x);
      case 'bin': {
        const l = lit(x.l);
        const r = lit(x.r);
        const name = GATE_NAMES[gates.length];
        if (name === undefined) throw new Error(`formula has more than ${GATE_NAMES.length} binary operators`);
        gates.push({ name, op: x.op, l, r });
        return name;
      }
    }
  };
  return { gates, out: lit(e) };
}

/** `A=a&!b;B=b&c;C=A|B` */
export const circuitText = (gates: readonly Gate[]): string => gates.map((g) => `${g.name}=${g.l}${g.op}${g.r}`).join(';');

/** The gate-by-gate trace steps and the answer, given the variables' values ('0'/'1' per a, b, ...). */
export function circuitSteps(gates: readonly Gate[], out: string, values: string): { steps: string[]; answer: string } {
  const val = new Map<string, string>();
  for (let i = 0; i < values.length; i++) val.set('abcde'[i]!, values[i]!);
  const show = (l: string): string => (l.startsWith('!') ? '!' + show(l.slice(1)) : l === '0' || l === '1' ? l : val.get(l) ?? '?');
  const value = (l: string): string => {
    const s = show(l);
    let neg = 0;
    while (s[neg] === '!') neg++;
    const b = s[neg] === '1';
    return (neg % 2 === 1 ? !b : b) ? '1' : '0';
  };
  const steps: string[] = [];
  for (const g of gates) {
    const a = value(g.l) === '1';
    const b = value(g.r) === '1';
    const v = (g.op === '&' ? a && b : a || b) ? '1' : '0';
    steps.push(`${g.name}=${show(g.l)}${g.op}${show(g.r)}=${v}`);
    val.set(g.name, v);
  }
  return { steps, answer: value(out) };
}
