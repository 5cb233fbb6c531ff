/**
 * The chat port's types live in src/core/chat-port.ts (platform neutral, used by services and
 * the outbox too); this module re-exports them so handlers keep importing from here.
 */
export * from '../core/chat-port.ts';
