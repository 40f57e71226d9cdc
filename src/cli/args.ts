// Command-line parsing: `reasonlab <command> [--key value | --key=value | --flag]...`.
// Values stay strings; the config layer coerces and validates them and rejects unknown keys.

export class UserError extends Error {
  override name = 'UserError';
}

export interface ParsedArgs {
  command: string;
  flags: Map<string, string>;
}

/** Flags that take no value. */
const BOOLEAN_FLAGS = new Set(['help', 'resume', 'quick', 'json', 'no-cache', 'skip-bad', 'trl']);

export function parseArgs(argv: string[]): ParsedArgs {
  const [command = 'help', ...rest] = argv;
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('--') || a === '--') throw new UserError(`unexpected argument "${a}" (options look like --key value)`);
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!key) throw new UserError(`empty option name in "${a}"`);
    if (flags.has(key)) throw new UserError(`--${key} given twice`);
    if (eq > 0) flags.set(key, a.slice(eq + 1));
    else if (BOOLEAN_FLAGS.has(key)) flags.set(key, 'true');
    else {
      const v = rest[i + 1];
      if (v === undefined || (v.startsWith('--') && !/^--?\d/.test(v))) throw new UserError(`--${key} needs a value`);
      flags.set(key, v);
      i++;
    }
  }
  return { command, flags };
}

/** Remove and return a flag. */
export function take(flags: Map<string, string>, key: string): string | undefined {
  const v = flags.get(key);
  flags.delete(key);
  return v;
}

export function takeInt(flags: Map<string, string>, key: string, dflt: number, min = 0): number {
  const v = take(flags, key);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UserError(`--${key} must be an integer >= ${min}, got "${v}"`);
  return n;
}
