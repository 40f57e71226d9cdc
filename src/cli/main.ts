// The `reasonlab` command line: train, eval and bench on the same core the browser app uses.
// User mistakes print one line `reasonlab: <problem>` and exit 2; nothing existing is overwritten.

import { ConfigError } from '../tasks/registry.ts';
import { CheckpointError } from '../model/checkpoint.ts';
import { SafetensorsError } from '../model/safetensors.ts';
import { parseArgs, UserError } from './args.ts';
import { HELP, trainCommand } from './train.ts';
import { evalCommand } from './evalcmd.ts';

async function main(argv: string[]): Promise<number> {
  const { command, flags } = parseArgs(argv);
  if (command === 'help' || command === '--help' || flags.has('help')) {
    const { DATA_HELP } = await import('./datacmd.ts');
    const { PREFS_HELP } = await import('./prefscmd.ts');
    const { PREF_HELP } = await import('./preftrain.ts');
    process.stdout.write(HELP + '\n' + DATA_HELP.replace(/\n?$/, '\n') + PREFS_HELP + PREF_HELP);
    return 0;
  }
  switch (command) {
    case 'train':
      return trainCommand(flags);
    case 'eval':
      return evalCommand(flags);
    case 'generate':
    case 'verify': {
      const data = await import('./datacmd.ts');
      return command === 'generate' ? data.generateCommand(flags) : data.verifyCommand(flags);
    }
    case 'prefs': {
      const { prefsCommand } = await import('./prefscmd.ts');
      return prefsCommand(flags);
    }
    case 'datasets': {
      const { datasetsCommand } = await import('./datasetscmd.ts');
      return datasetsCommand(flags);
    }
    case 'bench': {
      const { benchCommand } = await import('./benchcmd.ts');
      return benchCommand(flags);
    }
    case 'bench-learn': {
      const { learnCommand } = await import('./learncmd.ts');
      return learnCommand(flags);
    }
    default:
      throw new UserError(`unknown command "${command}" (commands: train, eval, generate, verify, prefs, datasets, bench, bench-learn, help)`);
  }
}

const isUserError = (e: unknown) => e instanceof UserError || e instanceof ConfigError || e instanceof CheckpointError || e instanceof SafetensorsError;

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (isUserError(e)) {
      process.stderr.write(`reasonlab: ${(e as Error).message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`reasonlab: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
