/**
 * A namespace is read whole once reading its pages piecemeal has cost this share of what reading it whole costs
 * (about a record's decoding per record): a sync that sweeps it reaches that early and then reads nothing more,
 * while a sync of a few differences, or a few lookups, never does — reading it whole would cost them more than
 * everything else. (Ski rental: whatever the sync, it pays at most 1 + 1/share times the better choice.)
 */
const WHOLE_AFTER_SHARE = 1 / 4;

/** What a piecemeal load costs besides its records, in records: starting its walks (a level-1 walk and a page walk). */
const LOAD_COST = 128;

/**
 * How long a namespace held whole must have gone unused before another one may take its place: namespaces in use
 * at the same time (two sync sessions) never push each other out, which would read them again and again.
 */
const IDLE_MS = 1_000;

/** What a namespace held whole counts against the budget at least (an empty one too): a page's worth. */
const MIN_COST = 16;

/** A namespace held whole: its records and when it was last used. */
interface Held {
  records: number;
  lastUse: number;
}

/**
 * Which namespaces the record pages hold whole (see `RecordPages.holdNamespace`): when one is read whole, which ones
 * give way for it, and which must go when commits grow them past their share of the record cache. Keeps the
 * records of each namespace held whole and the records read piecemeal from the others; loads and drops nothing
 * itself. Namespaces are map keys.
 */
export class WholeNamespacePolicy {
  private readonly held = new Map<string, Held>();
  /** The cost (in records, see {@link LOAD_COST}) of the page loads of each namespace not held whole that still has pages held. */
  private readonly loadCosts = new Map<string, number>();

  /**
   * @param budget - records that namespaces held whole may hold together
   * @param now - the clock (milliseconds) that tells how long a namespace has gone unused
   */
  constructor(
    private readonly budget: number,
    private readonly now: () => number,
  ) {}

  /** Whether the namespace is held whole. */
  has(namespace: string): boolean {
    return this.held.has(namespace);
  }

  /** Notes a use of a namespace held whole. */
  touch(namespace: string): void {
    const held = this.held.get(namespace);
    if (held !== undefined) held.lastUse = this.now();
  }

  /** Notes a piecemeal load of `records` records (one walk's pages) for a namespace not held whole. */
  noteLoad(namespace: string, records: number): void {
    this.loadCosts.set(namespace, (this.loadCosts.get(namespace) ?? 0) + records + LOAD_COST);
  }

  /** Forgets the loads of a namespace that has no page held any more. */
  forgetLoads(namespace: string): void {
    this.loadCosts.delete(namespace);
  }

  /**
   * Whether a namespace of `total` records is to be read whole now, and if so the namespaces held whole that must
   * give way first (unused for {@link IDLE_MS}, least recently used first); undefined if not now: its piecemeal
   * loads — made, and `expectedLoads` about to be made of `recordsPerLoad` records each — have not cost enough yet,
   * or there is no room even with every idle namespace let go.
   */
  admit(namespace: string, total: number, expectedLoads = 0, recordsPerLoad = 0): string[] | undefined {
    if (this.held.has(namespace)) return undefined;
    const rent = (this.loadCosts.get(namespace) ?? 0) + expectedLoads * (recordsPerLoad + LOAD_COST);
    if (rent < total * WHOLE_AFTER_SHARE) return undefined;
    let room = this.budget - this.cost();
    const idleSince = this.now() - IDLE_MS;
    const idle = [...this.held].filter(([, { lastUse }]) => lastUse <= idleSince).sort(([, a], [, b]) => a.lastUse - b.lastUse);
    const giving: string[] = [];
    for (const [name, { records }] of idle) {
      if (room >= cost(total)) break;
      giving.push(name);
      room += cost(records);
    }
    return room >= cost(total) ? giving : undefined;
  }

  /** Starts holding a namespace whole with `records` records. */
  hold(namespace: string, records: number): void {
    this.held.set(namespace, { records, lastUse: this.now() });
    this.loadCosts.delete(namespace);
  }

  /** Stops holding a namespace whole. */
  release(namespace: string): void {
    this.held.delete(namespace);
  }

  /** Adds (or with a negative number removes) records of a namespace held whole. */
  count(namespace: string, records: number): void {
    const held = this.held.get(namespace);
    if (held !== undefined) held.records += records;
  }

  /** The namespaces to let go, least recently used first, so that those held whole fit the budget again. */
  overBudget(): string[] {
    let over = this.cost() - this.budget;
    if (over <= 0) return [];
    const out: string[] = [];
    for (const [name, { records }] of [...this.held].sort(([, a], [, b]) => a.lastUse - b.lastUse)) {
      if (over <= 0) break;
      out.push(name);
      over -= cost(records);
    }
    return out;
  }

  /** What the namespaces held whole count against the budget. */
  private cost(): number {
    let total = 0;
    for (const { records } of this.held.values()) total += cost(records);
    return total;
  }
}

/** What a namespace of `records` records counts against the budget. */
function cost(records: number): number {
  return Math.max(records, MIN_COST);
}
