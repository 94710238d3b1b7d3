import { Author, NamespaceSecret, nativeEd25519, portableEd25519, type Ed25519 } from '@docs/crypto';
import { RecordIdentifier, createRecord, signEntry, verifySignedEntry, type SignedEntry } from '@docs/entry';

/** One row of the entry benchmark. */
export interface EntryBenchRow {
  readonly path: 'native' | 'portable';
  readonly operation: 'sign entry' | 'verify entry';
  readonly perSecond: number;
}

/** Options of {@link runEntryBench}. */
export interface EntryBenchOptions {
  /** Entries per run (default 2,000). */
  readonly entries?: number;
  /** Runs per cell; the median is reported (default 5). */
  readonly runs?: number;
}

/**
 * Entries signed per second and verified per second (two signatures each), native vs portable Ed25519,
 * measured in the same run.
 */
export async function runEntryBench(options: EntryBenchOptions = {}): Promise<EntryBenchRow[]> {
  const count = options.entries ?? 2_000;
  const runs = options.runs ?? 5;
  const paths: Ed25519[] = [nativeEd25519(), portableEd25519].filter((path): path is Ed25519 => path !== undefined);
  const rows: EntryBenchRow[] = [];
  for (const ed25519 of paths) {
    const namespace = NamespaceSecret.generate(ed25519);
    const author = Author.generate(ed25519);
    const entries = Array.from({ length: count }, (_, index) => ({
      id: RecordIdentifier.of(namespace.id, author.id, new TextEncoder().encode(`bench/key/${index}`)),
      record: createRecord(new Uint8Array(32).fill(index & 0xff), 100 + index, 1_700_000_000_000_000n + BigInt(index)),
    }));
    let signed: SignedEntry[] = [];
    const signTimes: number[] = [];
    const verifyTimes: number[] = [];
    for (let run = 0; run < runs; run++) {
      let start = performance.now();
      signed = [];
      for (const entry of entries) signed.push(await signEntry(entry, namespace, author));
      signTimes.push(performance.now() - start);
      start = performance.now();
      for (const entry of signed) if (!(await verifySignedEntry(entry, ed25519))) throw new Error('verification failed');
      verifyTimes.push(performance.now() - start);
    }
    rows.push({ path: ed25519.name, operation: 'sign entry', perSecond: (count / median(signTimes)) * 1000 });
    rows.push({ path: ed25519.name, operation: 'verify entry', perSecond: (count / median(verifyTimes)) * 1000 });
  }
  return rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
