// Module boundaries from DESIGN.md, enforced by scanning src/ imports (comments stripped, `import
// type` ignored): no tfjs in the pure modules (directly or through what they import), no DOM/React/
// comlink in model/train, no runtime tfjs/train/model in the UI, and no banned calls anywhere.
// Failures list file:line so the offending import is one click away.

import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

interface Import {
  file: string; // repo-relative, e.g. src/tasks/addition.ts
  line: number;
  spec: string; // as written, or '(computed)' for import(expr)
  target: string; // repo-relative resolved file for relative specs, else the bare spec
  typeOnly: boolean;
}

/**
 * Replace comments with spaces (newlines kept, so offsets map to the same lines). Strings are kept,
 * or with `blankStrings` their contents are blanked too (for scanning code, not messages).
 */
export function stripComments(src: string, blankStrings = false): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const n = src[i + 1];
    if (c === '/' && n === '/') {
      while (i < src.length && src[i] !== '\n') (out += ' '), i++;
    } else if (c === '/' && n === '*') {
      out += '  ';
      i += 2;
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) (out += src[i] === '\n' ? '\n' : ' '), i++;
      out += '  ';
      i += 2;
    } else if (c === "'" || c === '"' || c === '`') {
      out += c;
      i++;
      const keep = (ch: string) => (out += !blankStrings || ch === '\n' ? ch : ' ');
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') keep(src[i]!), i++;
        if (c !== '`' && src[i] === '\n') break; // unterminated: bail out of the string
        if (i < src.length) keep(src[i]!), i++;
      }
      if (i < src.length) (out += src[i]!), i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Import/export-from/dynamic import/require specifiers of one file's (comment-free) text. */
export function scanImports(text: string): { line: number; spec: string; typeOnly: boolean }[] {
  const code = stripComments(text);
  const out: { line: number; spec: string; typeOnly: boolean }[] = [];
  const stmt = /(^|[;\n}])([ \t]*)(import|export)\s+(?!\()([^;'"`]*?)\bfrom\s*(['"])([^'"\n]+)\5/g;
  for (const m of code.matchAll(stmt)) {
    const clause = m[4]!.trim();
    out.push({ line: lineAt(code, m.index! + m[1]!.length + m[2]!.length), spec: m[6]!, typeOnly: /^type\b(?!\s*,)/.test(clause) });
  }
  for (const m of code.matchAll(/(^|[;\n}])([ \t]*)import\s*(['"])([^'"\n]+)\3/g)) {
    out.push({ line: lineAt(code, m.index! + m[1]!.length + m[2]!.length), spec: m[4]!, typeOnly: false });
  }
  for (const m of code.matchAll(/(?<![\w$.])(import|require)\s*\(\s*(['"`]?)([^'"`)\n]*)\2\s*\)?/g)) {
    const literal = m[2] !== '' && !m[3]!.includes('${');
    out.push({ line: lineAt(code, m.index!), spec: literal ? m[3]! : '(computed)', typeOnly: false });
  }
  return out;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return walk(p);
    return /\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

const rel = (p: string) => relative(ROOT, p).split('\\').join('/');

function resolveSpec(fromFile: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const base = resolve(dirname(join(ROOT, fromFile)), spec);
  for (const cand of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (existsSync(cand) && statSync(cand).isFile()) return rel(cand);
  }
  return rel(base);
}

const FILES = walk(SRC).map(rel).sort();
const TEXT = new Map(FILES.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));
const IMPORTS: Import[] = FILES.flatMap((file) =>
  scanImports(TEXT.get(file)!).map((i) => ({ file, ...i, target: i.spec === '(computed)' ? i.spec : resolveSpec(file, i.spec) })),
);
const runtimeImportsOf = (file: string) => IMPORTS.filter((i) => i.file === file && !i.typeOnly);

/** For each runtime-reachable forbidden target, the import chain that reaches it. */
function reachable(start: string, forbidden: (target: string) => boolean): string[] {
  const chains: string[] = [];
  const seen = new Set<string>([start]);
  const queue: { file: string; chain: string[] }[] = [{ file: start, chain: [] }];
  while (queue.length) {
    const { file, chain } = queue.shift()!;
    for (const imp of runtimeImportsOf(file)) {
      const step = `${imp.file}:${imp.line} imports '${imp.spec}'`;
      if (forbidden(imp.target)) chains.push([...chain, step].join('\n      -> '));
      else if (TEXT.has(imp.target) && !seen.has(imp.target)) {
        seen.add(imp.target);
        queue.push({ file: imp.target, chain: [...chain, step] });
      }
    }
  }
  return chains;
}

const under = (...prefixes: string[]) => (f: string) => prefixes.some((p) => (p.endsWith('/') ? f.startsWith(p) : f === p));
const isTf = (t: string) => t.startsWith('@tensorflow/') || t === '@tensorflow' || t === '(computed)';
const report = (what: string, lines: string[]) => `${what}:\n  ${lines.join('\n  ')}`;

const TF_FREE = under('src/tasks/', 'src/envs/', 'src/records/', 'src/data/', 'src/tokenizer.ts', 'src/rng.ts', 'src/knobs.ts', 'src/run-config.ts', 'src/model/params.ts', 'src/model/safetensors.ts', 'src/model/checkpoint.ts', 'src/model/reward-head.ts');
const CORE = under('src/model/', 'src/train/');
const UI = under('src/ui/');

describe('the scanner itself', () => {
  it('finds static, multi-line, re-export, side-effect, dynamic and computed imports; skips comments and import type', () => {
    const found = scanImports(
      [
        "import * as tf from '@tensorflow/tfjs';", // 1
        "import type { Rng } from '../rng.ts';", // 2: type-only
        'import {', // 3
        '  a,', // 4
        "  b } from './multi.ts';", // 5
        "export { x } from './reexp.ts';", // 6
        "export type { Y } from './types.ts';", // 7: type-only
        "import './side-effect.ts';", // 8
        "// import { no } from 'commented-out';", // 9
        "/* import { no } from 'block-comment'; */", // 10
        "const m = await import('react');", // 11
        'const n = await import(name);', // 12: computed
        "const s = 'import { no } from \"in-a-string\"'; import { type T } from './inline-type.ts';", // 13: runtime under verbatimModuleSyntax
        "const url = 'http://example.com'; import { z } from './after-url.ts';", // 14
      ].join('\n'),
    );
    const summary = found.map((f) => `${f.line}:${f.spec}${f.typeOnly ? ':type' : ''}`).sort();
    expect(summary).toEqual(
      [
        '1:@tensorflow/tfjs',
        '2:../rng.ts:type',
        '3:./multi.ts',
        '6:./reexp.ts',
        '7:./types.ts:type',
        '8:./side-effect.ts',
        '11:react',
        '12:(computed)',
        '13:./inline-type.ts',
        '14:./after-url.ts',
      ].sort(),
    );
  });

  it('sees the real tree (guards against passing vacuously)', () => {
    expect(FILES).toContain('src/tasks/addition.ts');
    expect(IMPORTS.some((i) => i.file === 'src/model/gpt.ts' && i.spec === '@tensorflow/tfjs' && !i.typeOnly)).toBe(true);
    expect(IMPORTS.some((i) => i.file === 'src/tasks/addition.ts' && i.target === 'src/rng.ts' && i.typeOnly)).toBe(true);
    expect(IMPORTS.some((i) => i.file === 'src/tasks/addition.ts' && i.target === 'src/tasks/format.ts' && !i.typeOnly)).toBe(true);
    // The transitive walk finds a real chain (train/sft.ts imports tfjs directly and via model/gpt.ts).
    expect(reachable('src/train/sft.ts', isTf).length).toBeGreaterThan(1);
  });
});

describe('module boundaries (DESIGN.md)', () => {
  it('no runtime tfjs import in tasks, envs, records, data, tokenizer, rng, knobs, run-config, model/{params,safetensors,checkpoint,reward-head}', () => {
    const bad = IMPORTS.filter((i) => TF_FREE(i.file) && !i.typeOnly && isTf(i.target)).map((i) => `${i.file}:${i.line} imports '${i.spec}'`);
    expect(bad, report('tfjs imported where it must not be', bad)).toEqual([]);
  });

  it('...nor through anything those modules import at runtime', () => {
    const bad = FILES.filter(TF_FREE).flatMap((f) => reachable(f, isTf));
    expect(bad, report('tfjs reached transitively', bad)).toEqual([]);
  });

  it('src/envs imports only tasks, data, tokenizer, rng and itself (records and the trainers build on it, never the reverse)', () => {
    const ok = under('src/envs/', 'src/tasks/', 'src/data/', 'src/tokenizer.ts', 'src/rng.ts');
    const bad = IMPORTS.filter((i) => i.file.startsWith('src/envs/') && !ok(i.target)).map((i) => `${i.file}:${i.line} imports '${i.spec}'`);
    expect(bad, report('src/envs reaches above its layer', bad)).toEqual([]);
    expect(FILES.filter((f) => f.startsWith('src/envs/')).length).toBeGreaterThan(3);
  });

  it('no React, react-dom, comlink, ui/worker or DOM globals in model/ and train/', () => {
    const domPkg = (t: string) => /^(react|react-dom|comlink)(\/|$)/.test(t) || t.startsWith('src/ui/') || t.startsWith('src/worker/');
    const bad = IMPORTS.filter((i) => CORE(i.file) && !i.typeOnly && domPkg(i.target)).map((i) => `${i.file}:${i.line} imports '${i.spec}'`);
    const domUse = /\b(document|window|localStorage|sessionStorage)\s*\.|\brequestAnimationFrame\s*\(/;
    for (const f of FILES.filter(CORE)) {
      stripComments(TEXT.get(f)!, true)
        .split('\n')
        .forEach((line, k) => {
          if (domUse.test(line)) bad.push(`${f}:${k + 1} uses a DOM global: ${line.trim().slice(0, 80)}`);
        });
    }
    expect(bad, report('DOM/React/comlink in the training core', bad)).toEqual([]);
  });

  it('the training core reports through events, never the console (model/, train/)', () => {
    const bad: string[] = [];
    for (const f of FILES.filter(CORE)) {
      stripComments(TEXT.get(f)!, true)
        .split('\n')
        .forEach((line, k) => {
          if (/\bconsole\s*\./.test(line)) bad.push(`${f}:${k + 1}: ${line.trim().slice(0, 80)}`);
        });
    }
    expect(bad, report('console use in the training core', bad)).toEqual([]);
  });

  const uiForbidden = (t: string) => isTf(t) || t.startsWith('src/train/') || t.startsWith('src/model/');

  it.skipIf(!FILES.some(UI))('src/ui imports nothing at runtime from tfjs, src/train or src/model (type-only is fine)', () => {
    const bad = IMPORTS.filter((i) => UI(i.file) && !i.typeOnly && uiForbidden(i.target)).map((i) => `${i.file}:${i.line} imports '${i.spec}'`);
    expect(bad, report('runtime import from the UI (use `import type`; the worker owns these)', bad)).toEqual([]);
  });

  it.skipIf(!FILES.some(UI))('...nor through anything the UI imports at runtime (e.g. config.ts -> train/optim.ts -> tfjs)', () => {
    const bad = FILES.filter(UI).flatMap((f) => reachable(f, uiForbidden));
    expect(bad, report('the UI reaches tfjs/train/model at runtime', bad)).toEqual([]);
  });
  const WORKER = under('src/worker/');
  it.skipIf(!FILES.some(WORKER))('src/worker imports no React, react-dom or src/ui (a worker has no DOM; the UI talks to it through comlink)', () => {
    const bad = IMPORTS.filter((i) => WORKER(i.file) && !i.typeOnly && (/^(react|react-dom)(\/|$)/.test(i.target) || i.target.startsWith('src/ui/'))).map((i) => `${i.file}:${i.line} imports '${i.spec}'`);
    expect(bad, report('React or UI code imported by the worker', bad)).toEqual([]);
  });

  it.skipIf(!FILES.some(UI))('src/ui imports the worker module by type only (it is started with new Worker(new URL(...)))', () => {
    const bad = IMPORTS.filter((i) => UI(i.file) && !i.typeOnly && i.target.startsWith('src/worker/')).map((i) => `${i.file}:${i.line} imports '${i.spec}'`);
    expect(bad, report('runtime import of worker code from the UI (use `import type`)', bad)).toEqual([]);
  });
});

describe('no import cycles', () => {
  it('the import graph of src/ has no cycle, type-only imports included (each listed as file:line chain)', () => {
    const state = new Map<string, 1 | 2>(); // 1 on the current path, 2 done
    const cycles: string[] = [];
    const visit = (file: string, path: Import[]) => {
      state.set(file, 1);
      for (const imp of IMPORTS.filter((i) => i.file === file && TEXT.has(i.target))) {
        if (state.get(imp.target) === 1) {
          const from = path.findIndex((p) => p.file === imp.target);
          cycles.push([...path.slice(from < 0 ? path.length : from), imp].map((i) => `${i.file}:${i.line}`).join(' -> '));
        } else if (!state.has(imp.target)) visit(imp.target, [...path, imp]);
      }
      state.set(file, 2);
    };
    for (const f of FILES) if (!state.has(f)) visit(f, []);
    expect(IMPORTS.some((i) => i.target === 'src/records/record.ts' && !i.typeOnly)).toBe(true); // the graph is not empty
    expect(cycles, report('import cycles', cycles)).toEqual([]);
  });
});

describe('banned calls anywhere in src/', () => {
  const BANNED: [RegExp, string][] = [
    [/\bMath\.random\b/, 'Math.random (use the explicit Rng)'],
    [/(?<![\w$.])eval\s*\(/, 'eval('],
    [/\bnew\s+Function\s*\(/, 'new Function('],
    [/\.dataSync\s*\(/, '.dataSync( (use await t.data())'],
    [/\.arraySync\s*\(/, '.arraySync( (use await t.array())'],
  ];
  it('string contents are blanked before matching (an error message saying "eval (" is not a call)', () => {
    expect(stripComments("throw new Error(`for eval (known: ${k})`); eval(x) // eval(", true)).toBe(
      "throw new Error(`                      `); eval(x)         ",
    );
  });
  for (const [re, what] of BANNED) {
    it(`no ${what}`, () => {
      const bad: string[] = [];
      for (const f of FILES) {
        stripComments(TEXT.get(f)!, true)
          .split('\n')
          .forEach((line, k) => {
            if (re.test(line)) bad.push(`${f}:${k + 1}: ${line.trim().slice(0, 100)}`);
          });
      }
      expect(bad, report(`${what} found`, bad)).toEqual([]);
    });
  }
});
