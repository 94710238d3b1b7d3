import { CommanderError } from 'commander';
import type { Output } from './command.js';
import { reportError, type ErrorReport } from './errors.js';
import { buildProgram } from './program.js';
import { RemoteCommandError } from './run-command.js';

/** Exit codes: 0 success, 1 a command failed, 2 bad usage (unknown command or option, missing argument). */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs the CLI with the arguments after `docs`; resolves to the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const out: Output = {
    line: (text) => void process.stdout.write(`${text}\n`),
    bytes: (bytes) => {
      process.stdout.write(bytes);
      // On a terminal, keep the prompt on its own line.
      if (process.stdout.isTTY && bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) process.stdout.write('\n');
    },
  };
  const program = buildProgram(out);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const options = program.opts<{ json?: boolean; verbose?: boolean }>();
    const report: ErrorReport = error instanceof RemoteCommandError ? error.report : reportError(error);
    if (options.json === true) out.line(JSON.stringify({ error: { code: report.code, message: report.message } }));
    process.stderr.write(`docs: error: ${report.message}\n`);
    if (options.verbose === true && report.stack !== undefined) process.stderr.write(`${report.stack}\n`);
    return EXIT.failed;
  }
}

// A closed pipe on standard output (`docs ls | head`) ends the program quietly, as other command-line tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const code = await runCli(process.argv.slice(2));
// Let stdout drain (a pipe may be slow), then exit even if a library left a handle open.
process.stdout.write('', () => process.exit(code));
