export * from './codec.js';
export * from './errors.js';
export * from './frame.js';
export { authenticatedTransport } from './transport/authenticated-transport.js';
export type { ByteChannel, ByteStream } from './transport/byte-stream.js';
export { createChannelPair } from './transport/channel-pair.js';
export {
  createMemoryPair,
  MemoryNetwork,
  memoryTransport,
  type MemoryNetworkOptions,
  type MemoryPair,
  type MemoryPairOptions,
  type MemoryTransportOptions,
} from './transport/memory.js';
export { NODE_ID_LENGTH, NodeSecret, type NodeId, type NodeIdentity } from './transport/node-key.js';
export { DEFAULT_HIGH_WATER_MARK } from './transport/receive-buffer.js';
export {
  DEFAULT_HANDSHAKE_TIMEOUT,
  type ChannelTransport,
  type DialOptions,
  type Listener,
  type ListenOptions,
  type ProtocolHandlers,
  type StreamHandler,
  type Transport,
} from './transport/transport.js';
export { webSocketTransport } from '#websocket';
export * from './framed-channel.js';
export * from './live/link.js';
export * from './live/ops.js';
export * from './sync/engine.js';
export * from './sync/address-book-json.js';
export {
  MAX_ADDRESS_BOOK_PEERS,
  MAX_PEER_ADDRESS_LENGTH,
  MAX_PEER_ADDRESSES,
  type PeerAddressBook,
} from './sync/peer-address-book.js';
export * from './sync/session.js';
export * from './sync/sync-state.js';
export * from './ticket.js';
