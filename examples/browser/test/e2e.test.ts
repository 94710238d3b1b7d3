/**
 * End to end: the shared-notes page (built with vite, served by `vite preview`) in headless Chromium, syncing over
 * WebSocket with a Node peer run with the CLI (`docs serve --ws`, `docs doc new`, `docs doc share`, `docs set`,
 * `docs get`). Write in the page → appears on the Node peer; write on the Node peer → appears in the
 * page; delete in the page → gone on the Node peer; reload with the Node peer stopped → the notes are still there,
 * read back from IndexedDB.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumSkipReason, launchChromium, type Chromium } from './support/chromium.js';
import { startCliPeer } from './support/cli-peer.js';
import type { NodePeer } from './support/node-peer.js';
import { buildAndServe, type ServedPages } from './support/pages.js';

/** How long an entry may take to reach the other side (generous: CI runs every test file at once on two cores). */
const SYNC_TIMEOUT = 30_000;
/** Each step runs a few `docs` processes (about a second of CPU each) besides the browser. */
const STEP_TIMEOUT = 120_000;
const skipReason = chromiumSkipReason();
if (skipReason !== undefined) console.warn(`[browser e2e] skipped: ${skipReason}`);

/** The texts of the notes the page lists, by key (`fetching…` notes as undefined). */
async function pageNotes(page: Page): Promise<Record<string, string | undefined>> {
  return page.$$eval('#notes li', (items) =>
    Object.fromEntries(
      items.map((item) => {
        const text = item.querySelector('.text')!;
        return [(item as HTMLElement).dataset['key']!, text.classList.contains('pending') ? undefined : text.textContent!];
      }),
    ),
  );
}

describe.skipIf(skipReason !== undefined)('shared notes in headless Chromium with a Node peer', { timeout: STEP_TIMEOUT }, () => {
  let pages: ServedPages;
  let browser: Chromium;
  let peer: NodePeer;
  let page: Page;
  let document: { readonly id: string; readonly ticket: string };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // Assigned one by one, so that afterAll closes whatever started if another part failed.
    await Promise.all([
      buildAndServe('production').then((served) => (pages = served)),
      launchChromium().then((launched) => (browser = launched)),
      startCliPeer().then((started) => (peer = started)),
    ]);
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, STEP_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await peer?.close();
    await pages?.close();
  });

  test('the page bundle holds no Node built-in', () => {
    expect(pages.nodeOnlyModules).toEqual([]);
  });

  test('joins a document of the Node peer by ticket; its entries and their content arrive', async () => {
    document = await peer.createDocument();
    await peer.set('from-node/first', 'written on the Node peer before the page joined');
    await page.goto(`${pages.origin}/`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.fill('#ticket', document.ticket);
    await page.click('#join');
    await expect
      .poll(() => pageNotes(page), { timeout: SYNC_TIMEOUT })
      .toEqual({ 'from-node/first': 'written on the Node peer before the page joined' });
    await expect.poll(() => page.getAttribute('#status', 'data-connected'), { timeout: SYNC_TIMEOUT }).toBe('1');
    expect(await page.getAttribute('#status', 'data-document')).toBe(document.id);
  });

  test('notes written in the page, one right after the other, appear on the Node peer with their content', async () => {
    await page.fill('#note-text', 'hello from the browser');
    await page.click('#add');
    await page.fill('#note-text', 'and a second note at once');
    await page.click('#add');
    await expect
      .poll(async () => Object.values(await pageNotes(page)).sort(), { timeout: SYNC_TIMEOUT })
      .toEqual(['and a second note at once', 'hello from the browser', 'written on the Node peer before the page joined']);
    const keyOf = async (text: string) => Object.entries(await pageNotes(page)).find(([, each]) => each === text)![0];
    const [first, second] = [await keyOf('hello from the browser'), await keyOf('and a second note at once')];
    expect(first).toMatch(/^notes\//);
    await peer.received(first, 'value', SYNC_TIMEOUT);
    await peer.received(second, 'value', SYNC_TIMEOUT);
    expect(await peer.get(first)).toBe('hello from the browser');
  });

  test('an entry written on the Node peer appears in the page live', async () => {
    await peer.set('from-node/live', 'hello from Node');
    await expect.poll(async () => (await pageNotes(page))['from-node/live'], { timeout: SYNC_TIMEOUT }).toBe('hello from Node');
  });

  test('deleting in the page removes the entry on the Node peer', async () => {
    await page.click('#notes li[data-key="from-node/first"] button.delete');
    await peer.received('from-node/first', 'tombstone', SYNC_TIMEOUT);
    expect(await peer.has('from-node/first')).toBe(false);
    expect(await peer.has('from-node/live')).toBe(true);
    expect(Object.keys(await pageNotes(page))).not.toContain('from-node/first');
  });

  test('after a reload, with the Node peer stopped, every note is still there (IndexedDB)', async () => {
    const before = await pageNotes(page);
    expect(Object.keys(before)).toHaveLength(3);
    await peer.close();
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await expect.poll(() => pageNotes(page), { timeout: SYNC_TIMEOUT }).toEqual(before);
    expect(await page.getAttribute('#status', 'data-document')).toBe(document.id);
    expect(await page.getAttribute('#status', 'data-connected')).toBe('0');
  });

  test('the page raised no error and fetched nothing off 127.0.0.1', async () => {
    expect(pageErrors).toEqual([]);
    expect(await page.locator('#error').isHidden()).toBe(true);
    expect(browser.foreignRequests).toEqual([]);
  });
});
