import type { NamespaceId } from '@docs/crypto';
import type { SignedEntry } from '@docs/entry';
import type { ContentStatus } from './content-status.js';
import { EventStream } from './event-stream.js';

/** An entry written through this replica was inserted. */
export interface LocalInsertEvent {
  readonly type: 'local-insert';
  readonly namespace: NamespaceId;
  readonly entry: SignedEntry;
}

/** An entry received from a peer (by sync or pushed live) was inserted. */
export interface RemoteInsertEvent {
  readonly type: 'remote-insert';
  readonly namespace: NamespaceId;
  readonly entry: SignedEntry;
  /** The peer it came from. */
  readonly from: Uint8Array;
  /** What the peer claimed about holding the content. */
  readonly contentStatus: ContentStatus;
  /** Whether the namespace's download policy asks for the content. */
  readonly shouldDownload: boolean;
}

/** What a replica reports to subscribers; only entries actually inserted are reported. */
export type ReplicaEvent = LocalInsertEvent | RemoteInsertEvent;

/** A callback subscriber. */
export type ReplicaEventListener = (event: ReplicaEvent) => void;

/**
 * The subscribers of one replica: callbacks and bounded event streams. Emitting never waits for a subscriber.
 * A callback that throws affects neither the write that emitted nor other subscribers: its exception is rethrown
 * in a microtask (an uncaught exception, as for a DOM event listener).
 */
export class EventHub {
  readonly #listeners = new Set<ReplicaEventListener>();
  readonly #streams = new Set<EventStream<ReplicaEvent>>();

  /** True if anyone listens; lets the emitter skip building events. */
  get active(): boolean {
    return this.#listeners.size > 0 || this.#streams.size > 0;
  }

  /** Adds a callback; returns the function that removes it. */
  on(listener: ReplicaEventListener): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const own = (event: ReplicaEvent): void => listener(event);
    this.#listeners.add(own);
    return () => {
      this.#listeners.delete(own);
    };
  }

  /** A new event stream holding at most `capacity` undelivered events. */
  stream(capacity: number): EventStream<ReplicaEvent> {
    const stream: EventStream<ReplicaEvent> = new EventStream(capacity, () => this.#streams.delete(stream));
    this.#streams.add(stream);
    return stream;
  }

  /** Delivers an event to every subscriber. */
  emit(event: ReplicaEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    for (const stream of this.#streams) stream.push(event);
  }

  /** Drops every subscriber; streams deliver what they buffered, then end. */
  close(): void {
    this.#listeners.clear();
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
  }
}
