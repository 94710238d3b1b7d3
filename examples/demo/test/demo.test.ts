import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const DEMO_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Runs the demo as `pnpm demo` does (tsx on the sources) and collects its output. */
function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@docs/source', '--import', 'tsx', 'src/demo.ts'], {
      cwd: DEMO_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the demo syncs two peers over TCP, shows live updates and content, converges and cleans up', async () => {
  const { code, stdout, stderr } = await runDemo();
  expect(code, stderr).toBe(0);
  // Both sides wrote, one reconciliation ran over loopback TCP, live entries flowed both ways.
  expect(stdout).toMatch(/alice listens on tcp:\/\/127\.0\.0\.1:\d+/);
  expect(stdout).toMatch(/alice del drafts\/\*  \(removed 2 of alice's entries\)/);
  expect(stdout).toMatch(/bob synced with alice: \d+ received, \d+ sent/);
  expect(stdout).toMatch(/→ bob received live\/alice-1 live after/);
  expect(stdout).toMatch(/→ alice received live\/bob-1 live after/);
  expect(stdout).toMatch(/bob reads alice's recipes\/waffles: "flour, milk, eggs, butter"/);
  // Each side's holdings: the deleted drafts are gone, the tombstone stays, both authors' pancakes are there.
  const holdingsOf = (name: string) => new RegExp(` {2}${name} holds:\n((?: {4}.*\n)+)`).exec(stdout)?.[1] ?? '';
  for (const holdings of [holdingsOf('alice'), holdingsOf('bob')]) {
    expect(holdings).not.toMatch(/drafts\/soup|drafts\/stew|tmp\/a /);
    expect(holdings).toMatch(/drafts\/ +by alice \(tombstone/);
    expect(holdings.match(/recipes\/pancakes/g)).toHaveLength(2);
    expect(holdings).toMatch(/live\/bob-1 +by bob +"hello from bob"/);
  }
  expect(stdout).toMatch(/converged: yes/);
  expect(stdout).toMatch(/bob +dialed \(manual\) +\d+ received/);
  // The temporary stores are gone.
  const store = /store (\S+)\/alice/.exec(stdout)?.[1];
  expect(store).toBeDefined();
  expect(existsSync(store!)).toBe(false);
});
