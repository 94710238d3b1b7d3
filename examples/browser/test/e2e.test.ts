/**
 * End to end: the shared-notes page (built with vite, served by `vite preview`) in headless Chromium, syncing over
 * WebSocket with a Node peer. Write in the page → appears on the Node peer; write on the Node peer → appears in the
 * page; delete in the page → gone on the Node peer; reload with the Node peer stopped → the notes are still there,
 * read back from IndexedDB.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumSkipReason, launchChromium, type Chromium } from './support/chromium.js';
import { startLibraryPeer } from './support/library-peer.js';
import type { NodePeer } from './support/node-peer.js';
import { buildAndServe, type ServedPages } from './support/pages.js';

const SYNC_TIMEOUT = 15_000;
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

describe.skipIf(skipReason !== undefined)('shared notes in headless Chromium with a Node peer', () => {
  let pages: ServedPages;
  let browser: Chromium;
  let peer: NodePeer;
  let page: Page;
  let document: { readonly id: string; readonly ticket: string };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [pages, browser, peer] = await Promise.all([buildAndServe('production'), launchChromium(), startLibraryPeer()]);
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 60_000);

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

  test('a note written in the page appears on the Node peer, content included', async () => {
    await page.fill('#note-text', 'hello from the browser');
    await page.click('#add');
    await expect.poll(async () => Object.values(await pageNotes(page)), { timeout: SYNC_TIMEOUT }).toContain('hello from the browser');
    const key = Object.entries(await pageNotes(page)).find(([, text]) => text === 'hello from the browser')![0];
    expect(key).toMatch(/^notes\//);
    await expect.poll(() => peer.get(key), { timeout: SYNC_TIMEOUT }).toBe('hello from the browser');
  });

  test('an entry written on the Node peer appears in the page live', async () => {
    await peer.set('from-node/live', 'hello from Node');
    await expect.poll(async () => (await pageNotes(page))['from-node/live'], { timeout: SYNC_TIMEOUT }).toBe('hello from Node');
  });

  test('deleting in the page removes the entry on the Node peer', async () => {
    expect(await peer.has('from-node/first')).toBe(true);
    await page.click('#notes li[data-key="from-node/first"] button.delete');
    await expect.poll(() => peer.has('from-node/first'), { timeout: SYNC_TIMEOUT }).toBe(false);
    expect(Object.keys(await pageNotes(page))).not.toContain('from-node/first');
  });

  test('after a reload, with the Node peer stopped, every note is still there (IndexedDB)', async () => {
    const before = await pageNotes(page);
    expect(Object.keys(before)).toHaveLength(2);
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
