import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { bytesToBase64, plainBytes } from './bytes.js';
import type { Output } from './command.js';
import type { ArgsOf, CommandName } from './commands/index.js';
import { DataDirectory, defaultDataDirectory } from './data-dir.js';
import { runCommand } from './run-command.js';
import { serve } from './serve.js';

/** Options every command takes. */
export interface GlobalOptions {
  readonly data: string;
  readonly json: boolean;
  readonly verbose: boolean;
}

const DEFAULT_TIMEOUT_SECONDS = 30;

/** The `docs` program (commander), printing to `out`. */
export function buildProgram(out: Output): Command {
  const program = new Command('docs')
    .description('Multi-dimensional key-value documents, synced peer to peer (a TypeScript iroh-docs node).')
    .addOption(new Option('--data <dir>', 'data directory').env('DOCS_DATA').default(defaultDataDirectory()))
    .option('--json', 'print results as JSON (events as JSON lines)', false)
    .option('-v, --verbose', 'print stack traces of errors', false)
    // Usage errors throw (main turns them into exit code 2); subcommands inherit both settings.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`docs: ${text}`) });

  const globals = (command: Command): GlobalOptions => command.optsWithGlobals<GlobalOptions>();
  const run = <Name extends CommandName>(command: Command, name: Name, args: ArgsOf<Name>): Promise<void> => {
    const options = globals(command);
    return runCommand(name, args, new DataDirectory(resolve(options.data)), { json: options.json }, out);
  };
  const docOption = (): Option => new Option('-d, --doc <doc>', 'document id or unique prefix (default: the current document)');
  const authorOption = (): Option => new Option('-a, --author <author>', 'author id or unique prefix (default: the default author)');
  const timeoutOption = (): Option =>
    new Option('--timeout <seconds>', 'how long to wait for content from the peer').default(DEFAULT_TIMEOUT_SECONDS).argParser(seconds);
  const target = (options: { doc?: string; author?: string }) => ({
    ...(options.doc === undefined ? {} : { doc: options.doc }),
    ...(options.author === undefined ? {} : { author: options.author }),
  });

  program
    .command('serve')
    .description('run the node: listen for peers, sync every document live, serve the other commands of this data directory')
    .option('--listen <host:port>', 'TCP address to listen on', '127.0.0.1:0')
    .option('--ws [host:port]', 'also listen on WebSocket (ws://host:port/docs)')
    .action(async (options: { listen: string; ws?: string | true }, command: Command) => {
      const global = globals(command);
      const ws = options.ws === true ? '127.0.0.1:0' : options.ws;
      await serve(new DataDirectory(resolve(global.data)), { listen: options.listen, ws, json: global.json }, out);
    });

  program
    .command('status')
    .description('show the data directory, the node id, whether a node serves it, the defaults')
    .action((_options, command: Command) => run(command, 'status', {}));

  const author = program.command('author').description('manage authors');
  author
    .command('new')
    .description('create an author')
    .option('--switch', 'make it the default author', false)
    .action((options: { switch: boolean }, command: Command) => run(command, 'author.new', { switch: options.switch }));
  author
    .command('list')
    .description('list authors (* = default)')
    .action((_options, command: Command) => run(command, 'author.list', {}));
  author
    .command('default [author]')
    .description('show the default author, or make another author the default')
    .action((id: string | undefined, _options, command: Command) => run(command, 'author.default', id === undefined ? {} : { author: id }));

  const doc = program.command('doc').description('manage documents');
  doc
    .command('new')
    .description('create a document and make it the current one')
    .option('--no-switch', 'keep the current document')
    .action((options: { switch: boolean }, command: Command) => run(command, 'doc.new', { switch: options.switch }));
  doc
    .command('list')
    .description('list documents (* = current)')
    .action((_options, command: Command) => run(command, 'doc.list', {}));
  doc
    .command('switch <doc>')
    .description('make a document the current one')
    .action((id: string, _options, command: Command) => run(command, 'doc.switch', { doc: id }));
  doc
    .command('share')
    .description('print a ticket that lets a peer join the document (needs `docs serve`)')
    .addArgument(new Argument('<mode>', 'read or write').choices(['read', 'write']))
    .addOption(docOption())
    .action((mode: 'read' | 'write', options: { doc?: string }, command: Command) =>
      run(command, 'doc.share', { mode, ...target(options) }),
    );
  doc
    .command('join <ticket>')
    .description('join a document from a ticket: import it and sync with its peers (entries and content)')
    .option('--no-switch', 'keep the current document')
    .addOption(timeoutOption())
    .action((ticket: string, options: { switch: boolean; timeout: number }, command: Command) =>
      run(command, 'doc.join', { ticket, switch: options.switch, timeoutMs: options.timeout * 1000 }),
    );
  doc
    .command('drop [doc]')
    .description('stop syncing a document and delete it and its entries (default: the current document)')
    .action((id: string | undefined, _options, command: Command) => run(command, 'doc.drop', id === undefined ? {} : { doc: id }));

  program
    .command('set <key> <value>')
    .description('store a value under a key (`-` reads the value from standard input)')
    .addOption(docOption())
    .addOption(authorOption())
    .action((key: string, value: string, options: { doc?: string; author?: string }, command: Command) => {
      const bytes = value === '-' ? plainBytes(readFileSync(0)) : new TextEncoder().encode(value);
      return run(command, 'set', { key, valueBase64: bytesToBase64(bytes), ...target(options) });
    });
  program
    .command('get <key>')
    .description('print the content of the newest entry for a key')
    .addOption(docOption())
    .addOption(authorOption())
    .option('--hash', 'print the content hash instead of the content', false)
    .action((key: string, options: { doc?: string; author?: string; hash: boolean }, command: Command) =>
      run(command, 'get', { key, hashOnly: options.hash, ...target(options) }),
    );
  program
    .command('ls [prefix]')
    .description('list the entries of the document (every author), optionally under a key prefix')
    .addOption(docOption())
    .addOption(authorOption())
    .addOption(new Option('--sort <order>', 'sort by key or by author').choices(['key', 'author']).default('key'))
    .option('--desc', 'descending order', false)
    .action((prefix: string | undefined, options: { doc?: string; author?: string; sort: 'key' | 'author'; desc: boolean }, command: Command) =>
      run(command, 'ls', { sort: options.sort, desc: options.desc, ...(prefix === undefined ? {} : { prefix }), ...target(options) }),
    );
  program
    .command('del <prefix>')
    .description("delete the author's entries whose keys start with the prefix")
    .addOption(docOption())
    .addOption(authorOption())
    .action((prefix: string, options: { doc?: string; author?: string }, command: Command) => run(command, 'del', { prefix, ...target(options) }));
  program
    .command('import <path...>')
    .description('store files (directories recursively); keys are the relative paths plus "\\0", as in iroh')
    .addOption(docOption())
    .addOption(authorOption())
    .option('--prefix <prefix>', 'prepend to every key', '')
    .action((paths: string[], options: { doc?: string; author?: string; prefix: string }, command: Command) =>
      run(command, 'import', { paths: paths.map((path) => resolve(path)), prefix: options.prefix, ...target(options) }),
    );
  program
    .command('export <key> <path>')
    .description('write the content of the newest entry for a key to a file ("\\0" of imported keys optional)')
    .addOption(docOption())
    .addOption(authorOption())
    .action((key: string, path: string, options: { doc?: string; author?: string }, command: Command) =>
      run(command, 'export', { key, path: resolve(path), ...target(options) }),
    );
  program
    .command('watch')
    .description("print the running node's live events for the document until stopped (needs `docs serve`)")
    .addOption(docOption())
    .option('--all', 'every document', false)
    .action((options: { doc?: string; all: boolean }, command: Command) =>
      run(command, 'watch', { all: options.all, ...(options.doc === undefined ? {} : { doc: options.doc }) }),
    );
  program
    .command('sync <doc> <peer>')
    .description('sync a document once with a peer and print the stats; peer = <node-id>@tcp://host:port or a doc… ticket')
    .addOption(timeoutOption())
    .action((id: string, peer: string, options: { timeout: number }, command: Command) =>
      run(command, 'sync', { doc: id, peer, timeoutMs: options.timeout * 1000 }),
    );
  return program;
}

function seconds(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError('expected a positive number of seconds');
  }
  return value;
}
