// Propositional formula evaluation. Prompt: an assignment and a formula over variables a-e,
// constants 0/1, `!` (not), `&` (and), `|` (or) and parentheses: `a=1,b=0,c=1;(a&!b)|(b&c)=`.
// Two formats (the `format` knob). `circuit` (the default, boolean-circuit.ts) shows the formula as
// named gates and evaluates them one per step. `rewrite` (task version 1's only format) shows the
// formula and writes the canonical reduction, one rewrite per step, steps separated by ',':
//   step 1 substitutes the values into the formula: `(1&!0)|(0&1)`;
//   every later step applies exactly one operator, the leftmost innermost reducible one (an
//   operator whose operands are all constants), and drops the parentheses that then surround a
//   single constant: `(1&1)|(0&1)`, `1|(0&1)`, `1|0`, `1`.
// The last step is the answer, `1` or `0`. Leftmost-innermost order is the post-order of the
// syntax tree. Formulas are written canonically: precedence `!` > `&` > `|`, left-associative,
// and every binary operand that is itself a binary expression is parenthesised (so `a&b|c` is
// rendered `(a&b)|c`). An exact tokenizer and recursive-descent parser; no eval, no regex.

import type { Rng } from '../rng.ts';
import { exactAnswerCheck, exactStepsCheck, finishVerdict, formatCheck, parseCompletion, renderCompletion, tokenLength } from './format.ts';
import type { Check, Gold, Task, Verdict } from './types.ts';
import { circuitSteps, circuitText, gatesOf, type Expr } from './boolean-circuit.ts';

export interface BooleanConfig {
  /** Number of variables in the assignment, a.. (1-5). */
  vars: number;
  /** Nesting depth of binary operators (1-4); every formula reaches exactly this depth. */
  depth: number;
  /** circuit: named gates, one gate per step; rewrite: the whole formula rewritten at every step. */
  format: 'circuit' | 'rewrite';
}

const FORMATS = ['circuit', 'rewrite'] as const;

export interface BooleanProblem {
  /** Values of a, b, ... in order, as '0'/'1' characters (length = vars). */
  values: string;
  /** The formula in canonical form. */
  formula: string;
}

export type { Expr };

const VAR_NAMES = 'abcde';
/** Longest formula text the parser accepts (generated ones are far shorter). */
const MAX_FORMULA = 4096;

// ---------------------------------------------------------------------------------------------
// Tokenizer and parser

type Token = { t: 'var'; name: string; pos: number } | { t: 'const'; v: 0 | 1; pos: number } | { t: '!' | '&' | '|' | '(' | ')'; pos: number };

/** Split formula text into tokens; every character is one token, anything else is an error. */
export function tokenize(s: string): Token[] {
  if (s.length > MAX_FORMULA) throw new Error(`formula longer than ${MAX_FORMULA} characters`);
  const out: Token[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '0' || c === '1') out.push({ t: 'const', v: c === '1' ? 1 : 0, pos: i });
    else if (c === '!' || c === '&' || c === '|' || c === '(' || c === ')') out.push({ t: c, pos: i });
    else if (VAR_NAMES.includes(c)) out.push({ t: 'var', name: c, pos: i });
    else throw new Error(`unexpected character ${JSON.stringify(c)} at ${i}`);
  }
  return out;
}

/**
 * Parse formula text: or := and ('|' and)*; and := unary ('&' unary)*; unary := '!' unary | atom;
 * atom := var | const | '(' or ')'. Binary operators are left-associative. Throws on any error.
 */
export function parseFormula(s: string): Expr {
  const toks = tokenize(s);
  let i = 0;
  const at = () => (i < toks.length ? `at ${toks[i]!.pos}` : 'at end');
  const depthLimit = 256;
  let nest = 0;

  function orExpr(): Expr {
    let e = andExpr();
    while (i < toks.length && toks[i]!.t === '|') {
      i++;
      e = { k: 'bin', op: '|', l: e, r: andExpr() };
    }
    return e;
  }
  function andExpr(): Expr {
    let e = unary();
    while (i < toks.length && toks[i]!.t === '&') {
      i++;
      e = { k: 'bin', op: '&', l: e, r: unary() };
    }
    return e;
  }
  function unary(): Expr {
    if (++nest > depthLimit) throw new Error('formula nested too deeply');
    try {
      const tok = toks[i];
      if (tok === undefined) throw new Error('unexpected end of formula');
      if (tok.t === '!') {
        i++;
        return { k: 'not', x: unary() };
      }
      if (tok.t === 'var') {
        i++;
        return { k: 'var', name: tok.name };
      }
      if (tok.t === 'const') {
        i++;
        return { k: 'const', v: tok.v };
      }
      if (tok.t === '(') {
        i++;
        const e = orExpr();
        if (toks[i]?.t !== ')') throw new Error(`expected ')' ${at()}`);
        i++;
        return e;
      }
      throw new Error(`unexpected ${JSON.stringify(tok.t)} ${at()}`);
    } finally {
      nest--;
    }
  }

  const e = orExpr();
  if (i !== toks.length) throw new Error(`unexpected ${JSON.stringify(toks[i]!.t)} ${at()}`);
  return e;
}

/** Canonical text: binary operands that are binary expressions get parentheses, nothing else. */
export function renderFormula(e: Expr): string {
  const wrap = (x: Expr) => (x.k === 'bin' ? `(${renderFormula(x)})` : renderFormula(x));
  switch (e.k) {
    case 'const':
      return String(e.v);
    case 'var':
      return e.name;
    case 'not':
      return '!' + wrap(e.x);
    case 'bin':
      return wrap(e.l) + e.op + wrap(e.r);
  }
}

// ---------------------------------------------------------------------------------------------
// Reduction

function substitute(e: Expr, values: string): Expr {
  switch (e.k) {
    case 'const':
      return e;
    case 'var': {
      const idx = VAR_NAMES.indexOf(e.name);
      const v = values[idx];
      if (idx < 0 || v === undefined) throw new Error(`variable ${e.name} has no value`);
      return { k: 'const', v: v === '1' ? 1 : 0 };
    }
    case 'not':
      return { k: 'not', x: substitute(e.x, values) };
    case 'bin':
      return { k: 'bin', op: e.op, l: substitute(e.l, values), r: substitute(e.r, values) };
  }
}

/** Apply the leftmost innermost reducible operator once; null when `e` is already a constant. */
function reduceOnce(e: Expr): Expr | null {
  switch (e.k) {
    case 'const':
      return null;
    case 'var':
      throw new Error('reduceOnce: unsubstituted variable');
    case 'not': {
      if (e.x.k === 'const') return { k: 'const', v: e.x.v === 1 ? 0 : 1 };
      const x = reduceOnce(e.x);
      return x && { k: 'not', x };
    }
    case 'bin': {
      if (e.l.k === 'const' && e.r.k === 'const') {
        const v = e.op === '&' ? e.l.v & e.r.v : e.l.v | e.r.v;
        return { k: 'const', v: v === 1 ? 1 : 0 };
      }
      const l = reduceOnce(e.l);
      if (l) return { k: 'bin', op: e.op, l, r: e.r };
      const r = reduceOnce(e.r);
      return r && { k: 'bin', op: e.op, l: e.l, r };
    }
  }
}

/** The canonical steps: the substituted formula, then one rewrite per step down to `0` or `1`. */
export function reductionSteps(formula: string, values: string): string[] {
  let e: Expr | null = substitute(parseFormula(formula), values);
  const steps: string[] = [];
  while (e) {
    steps.push(renderFormula(e));
    e = reduceOnce(e);
  }
  return steps;
}

/** Plain recursive evaluation (used by the generator to balance answers). */
function evaluate(e: Expr, values: string): 0 | 1 {
  switch (e.k) {
    case 'const':
      return e.v;
    case 'var':
      return values[VAR_NAMES.indexOf(e.name)] === '1' ? 1 : 0;
    case 'not':
      return evaluate(e.x, values) === 1 ? 0 : 1;
    case 'bin': {
      const l = evaluate(e.l, values);
      const r = evaluate(e.r, values);
      return (e.op === '&' ? l & r : l | r) === 1 ? 1 : 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Generation

/** Chance that an optional subtree is a leaf, that a leaf is a constant, that a leaf is negated. */
const P_LEAF = 0.3;
const P_CONST = 0.15;
const P_NOT = 0.3;
/** Rejection cap when balancing answers; the odds of either answer are far above 1/1000. */
const MAX_TRIES = 1000;

function randomLeaf(rng: Rng, vars: number): Expr {
  const leaf: Expr = rng.float() < P_CONST ? { k: 'const', v: rng.int(2) === 1 ? 1 : 0 } : { k: 'var', name: VAR_NAMES[rng.int(vars)]! };
  return rng.float() < P_NOT ? { k: 'not', x: leaf } : leaf;
}

/** A tree of binary-operator height <= h, exactly h when `exact`, every leaf at depth h when `full`. Negation only on leaves. */
function randomTree(rng: Rng, vars: number, h: number, exact: boolean, full = false): Expr {
  if (h === 0 || (!exact && !full && rng.float() < P_LEAF)) return randomLeaf(rng, vars);
  const deep = rng.int(2);
  const op = rng.int(2) === 0 ? '&' : '|';
  const l = randomTree(rng, vars, h - 1, exact && deep === 0, full);
  const r = randomTree(rng, vars, h - 1, exact && deep === 1, full);
  return { k: 'bin', op, l, r };
}

/** The longest formula the generator can make: a full tree, every leaf negated. */
function worstFormula(depth: number): string {
  const full = (h: number): Expr => (h === 0 ? { k: 'not', x: { k: 'var', name: 'a' } } : { k: 'bin', op: '&', l: full(h - 1), r: full(h - 1) });
  return renderFormula(full(depth));
}

function isIntIn(x: unknown, lo: number, hi: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi;
}

export const boolean: Task<BooleanProblem, BooleanConfig> = {
  name: 'boolean',
  version: 2,
  description: 'Evaluate a propositional formula under an assignment, one operator per step (innermost first).',
  defaults: { vars: 3, depth: 2, format: 'circuit' },
  curriculum: [{ vars: 2, depth: 1 }, { vars: 3, depth: 2 }, { vars: 4, depth: 3 }, { vars: 5, depth: 4 }],
  knobs: {
    vars: { min: 1, max: 5, integer: true, help: 'variables in the assignment (a..e)' },
    depth: { min: 1, max: 4, integer: true, help: 'nesting depth of binary operators' },
  },
  options: { format: FORMATS },
  check: (cfg) => (!isIntIn(cfg.vars, 1, 5) ? `vars must be an integer in [1, 5], got ${cfg.vars}` : !isIntIn(cfg.depth, 1, 4) ? `depth must be an integer in [1, 4], got ${cfg.depth}` : null),

  generate(rng, cfg) {
    // Draw the answer first, then rejection-sample a problem with that answer: about 50% each.
    const want = rng.int(2);
    let p: BooleanProblem | null = null;
    for (let t = 0; t < MAX_TRIES; t++) {
      let values = '';
      for (let i = 0; i < cfg.vars; i++) values += String(rng.int(2));
      const e = randomTree(rng, cfg.vars, cfg.depth, true, cfg.format === 'circuit');
      p = { values, formula: renderFormula(e) };
      if (evaluate(e, values) === want) break;
    }
    return p!;
  },

  canonical: (p) => `${p.values};${p.formula}`,

  prompt: (p, cfg) => {
    const assign: string[] = [];
    for (let i = 0; i < p.values.length; i++) assign.push(`${VAR_NAMES[i]}=${p.values[i]}`);
    if (cfg.format === 'rewrite') return `${assign.join(',')};${p.formula}=`;
    return `${assign.join(',')};${circuitText(gatesOf(parseFormula(p.formula)).gates)}?`;
  },

  gold(p, cfg): Gold {
    if (cfg.format === 'rewrite') {
      const steps = reductionSteps(p.formula, p.values);
      return { trace: steps.join(','), answer: steps[steps.length - 1]! };
    }
    const { gates, out } = gatesOf(parseFormula(p.formula));
    const { steps, answer } = circuitSteps(gates, out, p.values);
    return { trace: steps.join(','), answer };
  },

  // "a=1," per variable less the last comma, ';', the formula (or its gates), '=' (or '?'). The
  // worst formula (full tree, every leaf negated) also has the longest gate list.
  maxPromptLength: (cfg) => 4 * cfg.vars - 1 + 1 + (cfg.format === 'rewrite' ? worstFormula(cfg.depth) : circuitText(gatesOf(parseFormula(worstFormula(cfg.depth))).gates)).length + 1,

  // Every generated tree is a pruning of the worst one, and pruning never lengthens a step or adds
  // one (post-order is preserved), so the worst formula's gold completion is the true maximum.
  maxCompletionLength(cfg) {
    const g = this.gold({ values: '1'.repeat(cfg.vars), formula: worstFormula(cfg.depth) }, cfg);
    return tokenLength(renderCompletion(g, true));
  },

  verify(p, completion, cfg, opts = {}): Verdict {
    const gold = this.gold(p, cfg);
    const parsed = parseCompletion(completion, true);
    const checks: Check[] = [formatCheck(parsed)];
    let firstWrong: Verdict['first_wrong_step'] = null;
    let stepsTotal: number | undefined;
    const show = (s: string) => JSON.stringify(s.slice(0, 40)) + (s.length > 40 ? '...' : '');

    if (parsed.think !== null) {
      const steps = exactStepsCheck(gold.trace, parsed.think);
      ({ firstWrong, stepsTotal } = steps);
      checks.push(steps.check);
    }

    const { ans, outcomeOk, check } = exactAnswerCheck(parsed.answer, gold.answer, (a) => (a === '0' || a === '1' ? null : `answer ${show(a)} is not 0 or 1`));
    checks.push(check);

    return finishVerdict(checks, ans, outcomeOk, firstWrong, opts, stepsTotal);
  },
};
