import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The CLI launcher, run as a real child process. */
const CLI = fileURLToPath(new URL('../bin/docs.js', import.meta.url));

/** The environment of every child: without the variables that would make the launcher change directory. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['npm_lifecycle_event'];
  delete env['DOCS_DATA'];
  return env;
}

/** What a finished `docs` process printed and how it exited. */
export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `docs --data <dataDir> <args…>` to completion. */
export function docs(dataDir: string, args: readonly string[], options: { readonly input?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--data', dataDir, ...args], { env: childEnv(), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a command that must succeed and returns its standard output. */
export async function ok(dataDir: string, args: readonly string[], options: { readonly input?: string } = {}): Promise<string> {
  const run = await docs(dataDir, args, options);
  if (run.code !== 0) throw new Error(`docs ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run.stdout;
}

/** Runs a `--json` command that must succeed and parses its output. */
export async function json<T>(dataDir: string, args: readonly string[]): Promise<T> {
  return JSON.parse(await ok(dataDir, ['--json', ...args])) as T;
}

/** A long-running `docs` process (`serve`, `watch`) whose output lines are parsed as JSON as they come. */
export interface LongRunning {
  readonly child: ChildProcess;
  readonly lines: unknown[];
  /** Resolves with the first line (seen so far or later) that satisfies `test`. */
  waitFor<T>(test: (line: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  stderr(): string;
}

/** Starts `docs --json --data <dataDir> <args…>` and keeps it running. */
export function start(dataDir: string, args: readonly string[]): LongRunning {
  const child = spawn(process.execPath, [CLI, '--json', '--data', dataDir, ...args], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: unknown[] = [];
  const waiters = new Set<() => void>();
  let errors = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (errors += text));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line));
    } catch {
      lines.push(line);
    }
    for (const wake of waiters) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    lines,
    waitFor<T>(test: (line: T) => boolean, timeoutMs = 120_000): Promise<T> {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = lines.find((line) => test(line as T));
          if (found === undefined) return false;
          cleanup();
          resolve(found as T);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out; output so far: ${JSON.stringify(lines)} ${errors}`));
        }, timeoutMs);
        const onExit = (): void => {
          if (check()) return;
          cleanup();
          reject(new Error(`the process exited; output: ${JSON.stringify(lines)} ${errors}`));
        };
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
          child.off('close', onExit);
        };
        const wake = (): void => void check();
        waiters.add(wake);
        child.once('close', onExit);
        check();
      });
    },
    async stop(signal: NodeJS.Signals = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    stderr: () => errors,
  };
}
