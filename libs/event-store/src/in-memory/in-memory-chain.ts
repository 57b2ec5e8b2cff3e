/**
 * Chain verification of the in-memory store: the same walk as PostgreSQL's (streams in name
 * order, page by page, every stored event including soft-deleted ones), with the shared check.
 */
import { type ChainVerification, StreamChainCheck, type VerifyChainOptions } from '../core/hash-chain';
import type { StoredEvent, StreamState } from './in-memory-log';

const link = (event: StoredEvent) => ({
  streamName: event.streamName,
  id: event.id,
  type: event.type,
  data: JSON.parse(event.dataJson) as unknown,
  metadata: JSON.parse(event.metadataJson) as Record<string, unknown>,
  revision: event.revision,
  hash: event.hash,
});

export async function verifyInMemoryChains(
  streams: ReadonlyMap<string, StreamState>,
  options: VerifyChainOptions,
): Promise<ChainVerification> {
  const pageSize = options.pageSize ?? 500;
  const names = (options.streamName !== undefined ? [options.streamName] : [...streams.keys()])
    .filter((name) => streams.has(name))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let streamsChecked = 0;
  let eventsChecked = 0;
  for (let start = 0; start < names.length; start += pageSize) {
    const page = names.slice(start, start + pageSize);
    for (const name of page) {
      const check = new StreamChainCheck();
      const firstBreak = check.check(streams.get(name)!.events.map(link));
      streamsChecked++;
      eventsChecked += check.eventsChecked;
      if (firstBreak) return { ok: false, streamsChecked, eventsChecked, firstBreak };
    }
    options.onPage?.({ streamsChecked, eventsChecked, lastStream: page[page.length - 1] });
  }
  return { ok: true, streamsChecked, eventsChecked };
}
