import { bytesToMapKey } from '@docs/crypto';
import type { PageRecord } from './page-rows.js';

/** The records of one namespace that a batch inserts. */
export interface NamespaceInserts {
  readonly namespace: Uint8Array;
  readonly records: PageRecord[];
}

/**
 * The records a batch inserts, by namespace, until they are counted in the aggregates together (see
 * `FingerprintAggregates.insertMany`): one pass over the pages and nodes they touch instead of one per record.
 */
export class PendingInserts {
  readonly #byNamespace = new Map<string, NamespaceInserts>();

  add(namespace: Uint8Array, record: PageRecord): void {
    const name = bytesToMapKey(namespace);
    let inserts = this.#byNamespace.get(name);
    if (inserts === undefined) {
      inserts = { namespace, records: [] };
      this.#byNamespace.set(name, inserts);
    }
    inserts.records.push(record);
  }

  /** The pending records of each namespace; none are pending afterwards. */
  take(): NamespaceInserts[] {
    const all = [...this.#byNamespace.values()];
    this.#byNamespace.clear();
    return all;
  }
}
