/**
 * Verification of the per-stream hash chains (ADR 0016): pages through the
 * streams in name order, a page per statement, and stops at the first event whose hash does
 * not match its content and its predecessor.
 */
import type { Pool } from 'pg';
import type { ChainVerification, VerifyChainOptions } from '../core/hash-chain';

export type { ChainBreak, ChainVerification, VerifyChainOptions } from '../core/hash-chain';

interface VerifyRow {
  last_stream: string | null;
  streams: number;
  events: string;
  bad_stream: string | null;
  bad_revision: string | null;
  bad_event_id: string | null;
}

export async function verifyChain(pool: Pool, options: VerifyChainOptions = {}): Promise<ChainVerification> {
  const pageSize = options.pageSize ?? 500;
  let after: string | null = null;
  let streamsChecked = 0;
  let eventsChecked = 0;
  for (;;) {
    const { rows }: { rows: VerifyRow[] } = await pool.query<VerifyRow>(
      'SELECT last_stream, streams, events::text, bad_stream, bad_revision::text, bad_event_id::text FROM es.verify_chain($1, $2, $3)',
      [after, pageSize, options.streamName ?? null],
    );
    const row: VerifyRow = rows[0];
    streamsChecked += row.streams;
    eventsChecked += Number(row.events);
    if (row.bad_stream !== null) {
      return {
        ok: false,
        streamsChecked,
        eventsChecked,
        firstBreak: {
          streamName: row.bad_stream,
          revision: BigInt(row.bad_revision!),
          eventId: row.bad_event_id!,
        },
      };
    }
    if (row.last_stream !== null)
      options.onPage?.({ streamsChecked, eventsChecked, lastStream: row.last_stream });
    if (options.streamName !== undefined || row.streams < pageSize || row.last_stream === null) {
      return { ok: true, streamsChecked, eventsChecked };
    }
    after = row.last_stream;
  }
}
