/**
 * The shared-notes page: wires the form controls to {@link SharedNotes} and renders the open document's notes
 * whenever they change (local writes, entries and content arriving from peers, links going up and down).
 */
import { SharedNotes, type Note, type NotesStatus } from './shared-notes.js';

/** The IndexedDB database of the page (browser-level prefixes it with `level-js-`). */
const DATABASE_NAME = 'docs-shared-notes';

function element<T extends HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new TypeError(`the page has no ${selector}`);
  return found;
}

const statusLine = element<HTMLParagraphElement>('#status');
const ticketInput = element<HTMLInputElement>('#ticket');
const peerInput = element<HTMLInputElement>('#peer');
const noteInput = element<HTMLInputElement>('#note-text');
const notesList = element<HTMLUListElement>('#notes');
const emptyHint = element<HTMLParagraphElement>('#empty');
const errorLine = element<HTMLParagraphElement>('#error');

function showError(error: unknown): void {
  errorLine.hidden = false;
  errorLine.textContent = error instanceof Error ? error.message : String(error);
}

/** Runs a user action, showing its failure instead of losing it. */
function act(action: () => Promise<void>): void {
  errorLine.hidden = true;
  action().catch(showError);
}

/**
 * Runs an action on the text of an input, clearing the input first (so that typing during a slow action is not
 * wiped when it ends) and putting the text back if the action fails while the input is still empty.
 */
function submitInput(input: HTMLInputElement, action: (text: string) => Promise<void>): void {
  const text = input.value;
  input.value = '';
  act(async () => {
    try {
      await action(text);
    } catch (error) {
      if (input.value === '') input.value = text;
      throw error;
    }
  });
}

function describeStatus(status: NotesStatus): string {
  if (status.document === undefined) return 'No document open: join one with a ticket from a Node peer.';
  const parts = [`Document ${status.document.slice(0, 10)}…`, status.writable ? 'writable' : 'read-only'];
  if (status.connected.length > 0) parts.push(`${status.connected.length} peer${status.connected.length === 1 ? '' : 's'} connected`);
  else if (status.peers.length > 0) parts.push('connecting…');
  else parts.push('no peer');
  return parts.join(' · ');
}

function renderNote(note: Note, onDelete: () => void): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset['key'] = note.key;
  const text = document.createElement('span');
  text.className = note.text === undefined ? 'text pending' : 'text';
  text.textContent = note.text ?? 'fetching content…';
  const meta = document.createElement('span');
  meta.className = 'meta';
  meta.textContent = `${note.key} · ${note.mine ? 'you' : note.author.slice(0, 8)}`;
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'delete';
  remove.textContent = 'Delete';
  remove.addEventListener('click', onDelete);
  item.append(text, meta, remove);
  return item;
}

function renderControls(status: NotesStatus): void {
  const open = status.document !== undefined;
  element<HTMLButtonElement>('#connect').disabled = !open;
  noteInput.disabled = !open || !status.writable;
  element<HTMLButtonElement>('#add').disabled = !open || !status.writable;
  statusLine.textContent = describeStatus(status);
  statusLine.dataset['document'] = status.document ?? '';
  statusLine.dataset['connected'] = String(status.connected.length);
}

async function main(): Promise<void> {
  const notes = await SharedNotes.open(DATABASE_NAME);
  element<HTMLElement>('#identity').textContent = `author ${notes.author.slice(0, 16)}… · node ${notes.nodeId.slice(0, 16)}…`;

  // Renders at most one listing at a time, and once more if something changed meanwhile.
  let rendering = false;
  let again = false;
  const render = async (): Promise<void> => {
    if (rendering) {
      again = true;
      return;
    }
    rendering = true;
    try {
      do {
        again = false;
        renderControls(notes.status);
        const listed = await notes.list();
        notesList.replaceChildren(...listed.map((note) => renderNote(note, () => act(() => notes.remove(note.keyHex)))));
        emptyHint.hidden = listed.length > 0;
      } while (again);
    } finally {
      rendering = false;
    }
  };
  const refresh = (): void => void render().catch(showError);
  notes.onChange(refresh);

  element<HTMLFormElement>('#join-form').addEventListener('submit', (event) => {
    event.preventDefault();
    submitInput(ticketInput, (ticket) => notes.join(ticket));
  });
  element<HTMLFormElement>('#connect-form').addEventListener('submit', (event) => {
    event.preventDefault();
    submitInput(peerInput, (peer) => notes.connect(peer));
  });
  element<HTMLFormElement>('#add-form').addEventListener('submit', (event) => {
    event.preventDefault();
    submitInput(noteInput, (text) => notes.add(text));
  });
  window.addEventListener('pagehide', () => void notes.close());
  refresh();
  document.body.dataset['ready'] = 'true';
}

main().catch(showError);
