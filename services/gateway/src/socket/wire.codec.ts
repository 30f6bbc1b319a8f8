import { decodeClientFrame, encodeServerFrame, type DecodedFrame, type Protocol, type ServerFrame } from './frame.codec';
import { Seed001Codec } from './seed001.codec';
import { Seed002Codec } from './seed002.codec';

/** A seed client's wire format, spoken on its own path (see ws.handshake.ts). */
export type SeedWire = 'seed001' | 'seed002';

/** One server frame as text; `droppable` overrides the outbox's choice for a slow reader. */
export interface EncodedFrame {
  type: string;
  text: string;
  droppable?: boolean;
}

/**
 * One socket's wire format. Whatever the client speaks, its frames become the ClientChatFrame
 * v1 and v2 send, and the frames its SocketOrder decides are written in its own words (zero or
 * more frames each): ordering, timeouts and exactly-once stay the order's, not the codec's.
 */
export interface WireCodec {
  /** The metrics label. */
  readonly name: string;
  decode(text: string, maxChars: number): DecodedFrame;
  encode(frame: ServerFrame): EncodedFrame[];
}

export interface CodecContext {
  sessionId: string;
  /** A message id for a client that sends none. */
  newId(): string;
}

/** v1 and v2: stateless, the frames of frame.codec.ts. */
export function protocolCodec(protocol: Protocol): WireCodec {
  return {
    name: String(protocol),
    decode: decodeClientFrame,
    encode: (frame) => [encodeServerFrame(protocol, frame)],
  };
}

export function codecFor(protocol: Protocol, wire: SeedWire | undefined, context: CodecContext): WireCodec {
  if (wire === 'seed001') return new Seed001Codec(context);
  if (wire === 'seed002') return new Seed002Codec(context);
  return protocolCodec(protocol);
}
