import { authorDefault, authorList, authorNew } from './authors.js';
import { docDrop, docJoin, docList, docNew, docShare, docSwitch } from './documents.js';
import { del, get, ls, set } from './entries.js';
import { exportFile, importFiles } from './files.js';
import { sync, watch } from './live.js';
import { status } from './status.js';

/** Every command that runs against a node, by the name the RPC protocol uses. */
export const COMMANDS = {
  status,
  'author.new': authorNew,
  'author.list': authorList,
  'author.default': authorDefault,
  'doc.new': docNew,
  'doc.list': docList,
  'doc.switch': docSwitch,
  'doc.share': docShare,
  'doc.join': docJoin,
  'doc.drop': docDrop,
  set,
  get,
  ls,
  del,
  import: importFiles,
  export: exportFile,
  sync,
  watch,
} as const;

/** The name of a command. */
export type CommandName = keyof typeof COMMANDS;

/** The arguments of a command. */
export type ArgsOf<Name extends CommandName> = Parameters<(typeof COMMANDS)[Name]['run']>[1];

/** True if a name is a command's. */
export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(COMMANDS, name);
}
