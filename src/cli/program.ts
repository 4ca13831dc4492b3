import { Command, CommanderError } from 'commander';
import { UsageError } from '../core/errors.js';
import { BENTOCI_VERSION } from '../version.js';
import { reportError } from './output.js';

/** Wraps a command action so every error becomes one line and the right exit code. */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.exitCode = reportError(err);
    }
  };
}

export function newProgram(): Command {
  const program = new Command('bentoci')
    .description('Save, build, containerize, push, sign, serve and canary ML models')
    .version(BENTOCI_VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)');
  // Commander exits 1 on its own usage errors; ours is 2 for every usage error.
  program.exitOverride();
  // Subcommands own their options: `build --version V` is the bento's version, not the program's.
  program.enablePositionalOptions();
  program.configureOutput({ outputError: (str, write) => write(str) });
  return program;
}

/** Applies exitOverride and the same output to every subcommand, recursively. */
export function finalize(command: Command): void {
  for (const sub of command.commands) {
    sub.exitOverride();
    sub.showHelpAfterError('(run with --help for usage)');
    finalize(sub);
  }
}

export async function runProgram(program: Command, argv: string[]): Promise<number> {
  finalize(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    if (err instanceof UsageError) return reportError(err);
    return reportError(err);
  }
}
