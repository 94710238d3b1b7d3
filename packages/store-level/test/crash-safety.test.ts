import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blake3, bytesToHex } from '@docs/crypto';
import { RecordIdentifier, encodeSignedEntry } from '@docs/entry';
import { LevelStore } from '@docs/store-level';
import { StoreModel } from '@docs/store/conformance';
import { afterAll, describe, expect, test } from 'vitest';
import { spawnFixture, readLines } from './fixtures/child-process.js';
import { CRASH_NAMESPACE, crashSteps, type CrashStep } from './fixtures/crash-plan.js';

const KILLS = process.env['SLOW'] === '1' ? 100 : process.env['CI'] === 'true' ? 3 : 5;
const STEPS_PER_RUN = 400;
const directory = mkdtempSync(join(tmpdir(), 'docs-store-level-crash-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A deterministic generator for the steps after which the writer is killed, so that a failing run can be repeated. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 4294967296;
  };
}

/** What the store must hold after the given steps: entries (as a naive model computes them) and blobs. */
function expectedState(steps: readonly CrashStep[]): { entries: string[]; blobs: Uint8Array[] } {
  const model = new StoreModel();
  const blobs: Uint8Array[] = [];
  for (const step of steps) {
    if (step.kind === 'blob') blobs.push(step.content);
    else for (const signed of step.entries) model.put(signed);
  }
  return { entries: model.query(CRASH_NAMESPACE.id, { includeEmpty: true }).map((signed) => bytesToHex(encodeSignedEntry(signed))), blobs };
}

async function storedEntries(store: LevelStore): Promise<string[]> {
  const out: string[] = [];
  for await (const signed of store.query(CRASH_NAMESPACE.id, { includeEmpty: true })) out.push(bytesToHex(encodeSignedEntry(signed)));
  return out;
}

describe(`crash safety: a writer killed with SIGKILL ${KILLS} times`, () => {
  test(
    'after every kill the store opens, passes the integrity check and holds every acknowledged write',
    async () => {
      const path = join(directory, 'store');
      const random = seeded(20_240_601);
      const applied: CrashStep[] = [];
      let killedMidway = 0;
      for (let run = 0; run < KILLS; run++) {
        const steps = await crashSteps(run, STEPS_PER_RUN);
        const child = spawnFixture('crash-writer.ts', [path, String(run), String(STEPS_PER_RUN)]);
        let acknowledged = -1;
        // Killed once it acknowledged a random step (-1: once it is ready, before its first step), while it writes
        // the next ones: a kill timed in milliseconds came after the last step on a fast machine.
        const target = Math.floor(random() * STEPS_PER_RUN) - 1;
        const output = readLines(child, (line) => {
          if (line === 'ready' && target < 0) child.kill('SIGKILL');
          if (!line.startsWith('ack ')) return;
          acknowledged = Number(line.slice(4));
          if (acknowledged >= target) child.kill('SIGKILL');
        });
        const { lines, stderr } = await output;
        expect(lines[0], `run ${run}: the writer started (stderr: ${stderr})`).toBe('ready');
        if (!lines.includes('done')) killedMidway++;

        // Every acknowledged step is in; the one in flight may or may not be.
        const store = await LevelStore.open(path);
        try {
          const report = await store.checkIntegrity();
          expect(report.problems, `run ${run}: integrity`).toEqual([]);
          expect(report.ok).toBe(true);
          const done = steps.slice(0, acknowledged + 1);
          const inFlight = steps[acknowledged + 1];
          const stored = await storedEntries(store);
          const without = expectedState([...applied, ...done]);
          const matchesWithout = JSON.stringify(stored) === JSON.stringify(without.entries);
          const withInFlight = inFlight === undefined ? undefined : expectedState([...applied, ...done, inFlight]);
          const matchesWith = withInFlight !== undefined && JSON.stringify(stored) === JSON.stringify(withInFlight.entries);
          expect(matchesWithout || matchesWith, `run ${run}: entries after ${acknowledged + 1} acknowledged steps`).toBe(true);
          applied.push(...done);
          if (!matchesWithout && inFlight !== undefined) applied.push(inFlight);
          for (const blob of without.blobs) expect(await store.blobs.has(blake3(blob)), `run ${run}: acknowledged blob`).toBe(true);
          if (inFlight?.kind === 'blob' && (await store.blobs.has(blake3(inFlight.content)))) applied.push(inFlight);

          // The aggregates answer as a recomputation would.
          const zero = RecordIdentifier.zero().bytes;
          expect(await store.ranges(CRASH_NAMESPACE.id).count({ x: zero, y: zero })).toBe(stored.length);
        } finally {
          await store.close();
        }
      }
      // Most runs must really have been cut short, or the test proves little.
      expect(killedMidway).toBeGreaterThanOrEqual(Math.ceil(KILLS / 2));
    },
    KILLS * 20_000,
  );
});
