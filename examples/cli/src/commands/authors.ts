import { bytesToHex } from '@docs/crypto';
import { defineCommand } from '../command.js';

/** `author new [--switch]`: creates an author; `--switch` makes it the default. */
export const authorNew = defineCommand<{ readonly switch: boolean }, { readonly author: string; readonly default: boolean }>({
  async run(node, args) {
    const author = await node.docs.createAuthor();
    const id = bytesToHex(author.id);
    if (args.switch) await node.dataDir.updateSettings({ defaultAuthor: id });
    return { author: id, default: args.switch };
  },
  render(result, _args, out) {
    out.line(result.default ? `${result.author} (now the default author)` : result.author);
  },
});

/** `author list`: every author held, the default marked. */
export const authorList = defineCommand<Record<string, never>, { readonly authors: { readonly id: string; readonly default: boolean }[] }>({
  async run(node) {
    const fallback = bytesToHex((await node.defaultAuthor()).id);
    const authors = (await node.docs.listAuthors()).map((id) => bytesToHex(id));
    return { authors: authors.map((id) => ({ id, default: id === fallback })) };
  },
  render(result, _args, out) {
    for (const author of result.authors) out.line(`${author.default ? '*' : ' '} ${author.id}`);
  },
});

/** `author default [author]`: shows the default author, or makes another one the default. */
export const authorDefault = defineCommand<{ readonly author?: string }, { readonly author: string }>({
  async run(node, args) {
    if (args.author === undefined) return { author: bytesToHex((await node.defaultAuthor()).id) };
    const author = await node.author(args.author);
    const id = bytesToHex(author.id);
    await node.dataDir.updateSettings({ defaultAuthor: id });
    return { author: id };
  },
  render(result, _args, out) {
    out.line(result.author);
  },
});
