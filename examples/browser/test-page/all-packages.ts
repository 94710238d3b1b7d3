import * as crypto from '@docs/crypto';
import * as entry from '@docs/entry';
import * as rbsr from '@docs/rbsr';
import * as replica from '@docs/replica';
import * as store from '@docs/store';
import * as storeLevel from '@docs/store-level';
import * as storeMemory from '@docs/store-memory';
import * as syncTransport from '@docs/sync-transport';

/** Every @docs package, loaded in the page: their names and how many exports each has. */
export const ALL_PACKAGES: Readonly<Record<string, number>> = {
  '@docs/crypto': Object.keys(crypto).length,
  '@docs/entry': Object.keys(entry).length,
  '@docs/rbsr': Object.keys(rbsr).length,
  '@docs/replica': Object.keys(replica).length,
  '@docs/store': Object.keys(store).length,
  '@docs/store-level': Object.keys(storeLevel).length,
  '@docs/store-memory': Object.keys(storeMemory).length,
  '@docs/sync-transport': Object.keys(syncTransport).length,
};
