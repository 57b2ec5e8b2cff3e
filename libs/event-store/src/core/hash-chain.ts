/**
 * Tamper evidence shared by every adapter (ADR 0016, ADR 0026): the one definition of an
 * event's hash, and the one check of a stream's chain.
 *
 *   hash = sha256(previous hash || type ⏎ data ⏎ metadata ⏎ revision)
 *
 * data and metadata are hashed as PostgreSQL prints `jsonb` (the PostgreSQL adapter computes the
 * hash in SQL, inside the append), so the same events give the same hashes in every adapter: a
 * log copied from one store to another keeps its chain, and a hash written by one can be checked
 * by the other.
 */
import { createHash } from 'node:crypto';

/** The hash chain of a stream starts from this (the empty byte string). */
export const CHAIN_START = '';

/** What an event's hash covers. */
export interface ChainedContent {
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  revision: bigint;
}

/** The event's hash (lower-case hex) after `previous` (hex; {@link CHAIN_START} for the first). */
export function eventHash(previous: string, event: ChainedContent): string {
  const text = `${event.type}\n${canonicalJson(event.data)}\n${canonicalJson(event.metadata)}\n${event.revision}`;
  return createHash('sha256').update(Buffer.from(previous, 'hex')).update(text, 'utf8').digest('hex');
}

/**
 * A JSON value as PostgreSQL's `jsonb` output prints it: object keys ordered by byte length and
 * then bytes, `", "` and `": "` separators, numbers in plain decimal notation (`numeric`).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return plainNumber(value);
    case 'string':
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      // Anything else never reaches a store: JSON.stringify drops it or the append refuses it.
      return 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(', ')}]`;
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return canonicalJson(json.call(value));
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol',
  );
  if (entries.length === 0) return '{}';
  entries.sort(([a], [b]) => compareKeys(a, b));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${canonicalJson(v)}`).join(', ')}}`;
}

function compareKeys(a: string, b: string): number {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length - right.length || Buffer.compare(left, right);
}

/** JavaScript's number text as `numeric` prints it: `1e+21` → `1000000000000000000000`. */
function plainNumber(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  const text = JSON.stringify(value);
  const exponentAt = text.indexOf('e');
  if (exponentAt < 0) return text;
  const sign = text.startsWith('-') ? '-' : '';
  const mantissa = text.slice(sign.length, exponentAt);
  const exponent = Number(text.slice(exponentAt + 1));
  const [whole, fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  const point = whole.length + exponent;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** An event as a chain check sees it: its content and the hash stored with it. */
export interface StoredChainLink extends ChainedContent {
  streamName: string;
  id: string;
  /** Hex; undefined when the store holds none for it (which is itself a break). */
  hash: string | undefined;
}

export interface ChainBreak {
  streamName: string;
  revision: bigint;
  eventId: string;
}

export interface ChainVerification {
  ok: boolean;
  streamsChecked: number;
  eventsChecked: number;
  /** The first event that does not match, in stream-name and revision order. */
  firstBreak?: ChainBreak;
}

export interface VerifyChainOptions {
  /** Check this stream only. */
  streamName?: string;
  /** Streams per page (per statement in PostgreSQL). Default 500. */
  pageSize?: number;
  /** Called after each page, e.g. to report progress of a long check. */
  onPage?: (progress: { streamsChecked: number; eventsChecked: number; lastStream: string }) => void;
}

/**
 * Checks consecutive events of one stream, page after page: each must carry the hash of its
 * content after its predecessor's stored hash. Comparing with the stored (not the recomputed)
 * predecessor names the changed event itself, not every event after it.
 */
export class StreamChainCheck {
  private previous: string | null;
  eventsChecked = 0;

  /**
   * @param previous the hash before the first link; null when the predecessor cannot be
   *   read (EventStoreDB hides soft-deleted events): the first link is then taken as it is.
   */
  constructor(previous: string | null = CHAIN_START) {
    this.previous = previous;
  }

  /** The first link of `links` that does not match, or undefined. */
  check(links: Iterable<StoredChainLink>): ChainBreak | undefined {
    for (const link of links) {
      this.eventsChecked++;
      const expected = this.previous === null ? link.hash : eventHash(this.previous, link);
      if (link.hash === undefined || link.hash !== expected) {
        return { streamName: link.streamName, revision: link.revision, eventId: link.id };
      }
      this.previous = link.hash;
    }
    return undefined;
  }
}

/** An event store that keeps the chain and can check it (every adapter of this library). */
export interface ChainKeeper {
  verifyChain(options?: VerifyChainOptions): Promise<ChainVerification>;
}

export function keepsHashChain<T extends object>(store: T): store is T & ChainKeeper {
  return typeof (store as Partial<ChainKeeper>).verifyChain === 'function';
}
