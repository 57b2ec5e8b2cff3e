import { type EventStore, type RecordedEvent } from '@prov/event-store';
import { GroupCommit } from '@prov/gathering';

/** Reads of one statement: beyond this the statement's result gets large for no further gain. */
const MAX_STREAMS_PER_READ = 128;

/**
 * The event store as the orders and requests services read it: whole-stream reads asked in one
 * turn of the event loop, or while others are on their way, leave together as one `readStreams`
 * statement, in the manner of the group commit (no timer: a lone read leaves at the end of its
 * turn, ADR 0060; under load a read waits at most for the ones in flight, and they grow by
 * themselves to what arrived meanwhile). Order generation reads one identity per order, the
 * reactions handle up to their concurrency at once, and each read was a statement of its own
 * (issue 11, ADR 0052); `requests` reads each identity it does not remember before its new
 * holding (ADR 0072). Each read is answered as `readStream` answers it; a read with options, and
 * every read of a store without `readStreams`, goes to the store as before.
 */
export function coalescingReads(store: EventStore): EventStore {
  if (!store.readStreams) return store;
  const reads = new GroupCommit<string, RecordedEvent[]>(
    async (names) =>
      (await store.readStreams!(names)).map((read) =>
        Array.isArray(read) ? { ok: true, value: read } : { ok: false, error: read },
      ),
    { maxInFlight: 2, maxWeight: MAX_STREAMS_PER_READ },
  );
  const readStream: EventStore['readStream'] = (streamName, options) =>
    options === undefined || Object.keys(options).length === 0
      ? reads.submit(streamName)
      : store.readStream(streamName, options);
  return new Proxy(store, {
    get(target, property) {
      if (property === 'readStream') return readStream;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
