import { describeEventStoreContract } from '../testing';
import { InMemoryCheckpointStore } from './in-memory-checkpoint-store';
import { InMemoryEventLog, InMemoryEventStore } from './in-memory-event-store';

// A "restart" hands the previous log and checkpoints to a new store instance.
let log = new InMemoryEventLog();
let checkpoints = new InMemoryCheckpointStore();

describeEventStoreContract(
  'in-memory',
  async ({ fresh }) => {
    if (fresh) {
      log = new InMemoryEventLog();
      checkpoints = new InMemoryCheckpointStore();
    }
    const own = log; // later fresh fixtures replace `log`
    const store = new InMemoryEventStore(own);
    const stored = (streamName: string) => own.streams.get(streamName)?.events ?? [];
    return {
      store,
      checkpoints,
      dispose: () => store.close(),
      async tamper(streamName, revision) {
        const event = stored(streamName)[Number(revision)];
        const original = event.dataJson;
        event.dataJson = JSON.stringify({ forged: true });
        return async () => {
          event.dataJson = original;
        };
      },
      chainHashes: async (streamName) => stored(streamName).map((event) => event.hash),
    };
  },
  { appendsToSeveralStreams: true },
);
