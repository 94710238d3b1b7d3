import { NamespaceSecret, equalBytes, type NamespaceId } from '@docs/crypto';
import { ENTRY_ERROR_CODES, EntryError } from './errors.js';
import { PostcardReader, PostcardWriter } from './postcard.js';
import { ID_LENGTH } from './record-identifier.js';

/** The kind byte of a capability, as the reference stores it (`CapabilityKind`, repr u8). */
export const CAPABILITY_KIND = { write: 1, read: 2 } as const;
/** `'write'` or `'read'`. */
export type CapabilityKind = keyof typeof CAPABILITY_KIND;

/** The right to write a namespace (its secret) or only to read and sync it (its id). */
export type Capability =
  | { readonly kind: 'write'; readonly secret: NamespaceSecret }
  | { readonly kind: 'read'; readonly id: NamespaceId };

/** A write capability. */
export function writeCapability(secret: NamespaceSecret): Capability {
  return { kind: 'write', secret };
}

/** A read capability. */
export function readCapability(id: NamespaceId): Capability {
  if (id.length !== ID_LENGTH) throw new RangeError(`a namespace id has ${ID_LENGTH} bytes`);
  return { kind: 'read', id };
}

/** The namespace a capability is for. */
export function capabilityNamespace(capability: Capability): NamespaceId {
  return capability.kind === 'write' ? capability.secret.id : capability.id;
}

/**
 * Merges `incoming` into `current`. Only read → write is an upgrade; a write capability is never downgraded.
 * Different namespaces → `DOCS_ENTRY_NAMESPACE_MISMATCH`.
 */
export function mergeCapabilities(
  current: Capability,
  incoming: Capability,
): { capability: Capability; upgraded: boolean } {
  if (!equalBytes(capabilityNamespace(current), capabilityNamespace(incoming))) {
    throw new EntryError(ENTRY_ERROR_CODES.NAMESPACE_MISMATCH, 'cannot merge capabilities of different namespaces');
  }
  if (current.kind === 'read' && incoming.kind === 'write') return { capability: incoming, upgraded: true };
  return { capability: current, upgraded: false };
}

/** The reference's `Capability::raw()`: the kind byte and 32 bytes (the secret seed for write, the id for read). */
export function capabilityToRaw(capability: Capability): { kind: number; bytes: Uint8Array } {
  return capability.kind === 'write'
    ? { kind: CAPABILITY_KIND.write, bytes: capability.secret.toBytes() }
    : { kind: CAPABILITY_KIND.read, bytes: capability.id.slice() };
}

/** Inverse of {@link capabilityToRaw}; an unknown kind → `DOCS_ENTRY_INVALID_TAG`. */
export function capabilityFromRaw(kind: number, bytes: Uint8Array): Capability {
  if (bytes.length !== ID_LENGTH) {
    throw new EntryError(ENTRY_ERROR_CODES.INVALID_LENGTH, `a raw capability has ${ID_LENGTH} bytes, got ${bytes.length}`);
  }
  if (kind === CAPABILITY_KIND.write) return writeCapability(NamespaceSecret.fromBytes(bytes));
  if (kind === CAPABILITY_KIND.read) return readCapability(bytes.slice());
  throw new EntryError(ENTRY_ERROR_CODES.INVALID_TAG, `unknown capability kind ${kind}`);
}

/** Writes a capability in postcard: `00 20 <seed>` (write) or `01 <id>` (read). */
export function putCapability(writer: PostcardWriter, capability: Capability): PostcardWriter {
  return capability.kind === 'write'
    ? writer.varint(0).bytes(capability.secret.toBytes())
    : writer.varint(1).raw(capability.id);
}

/** Reads a postcard capability; malformed input → `DOCS_ENTRY_*`. */
export function takeCapability(reader: PostcardReader): Capability {
  const variant = reader.varint('capability variant');
  if (variant === 0n) return writeCapability(takeSecretSeed(reader, 'namespace secret'));
  if (variant === 1n) return readCapability(reader.raw(ID_LENGTH, 'namespace id'));
  throw new EntryError(ENTRY_ERROR_CODES.INVALID_TAG, `unknown capability variant ${variant}`);
}

/** Postcard bytes of a capability. */
export function encodeCapability(capability: Capability): Uint8Array {
  return putCapability(new PostcardWriter(34), capability).finish();
}

/** Decodes exactly one postcard capability. */
export function decodeCapability(bytes: Uint8Array): Capability {
  const reader = new PostcardReader(bytes);
  const capability = takeCapability(reader);
  reader.end('capability');
  return capability;
}

/** Reads a serde `serialize_bytes` secret seed (`0x20` + 32 bytes) and builds the namespace secret. */
function takeSecretSeed(reader: PostcardReader, what: string): NamespaceSecret {
  return NamespaceSecret.fromBytes(takeSeedBytes(reader, what));
}

/** Reads `varint(32) ‖ 32 bytes`; any other length → `DOCS_ENTRY_INVALID_LENGTH`. */
export function takeSeedBytes(reader: PostcardReader, what: string): Uint8Array {
  const length = reader.varint(`${what} length`);
  if (length !== BigInt(ID_LENGTH)) {
    throw new EntryError(ENTRY_ERROR_CODES.INVALID_LENGTH, `${what} must have ${ID_LENGTH} bytes, got ${length}`);
  }
  return reader.raw(ID_LENGTH, what);
}
