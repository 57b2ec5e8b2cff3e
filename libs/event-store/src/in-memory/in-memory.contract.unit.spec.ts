import { describeEventStoreContract } from '../testing';
import { InMemoryCheckpointStore } from './in-memory-checkpoint-store';
import { InMemoryEventLog, InMemoryEventStore } from './in-memory-event-store';

// A "restart" hands the previous log and checkpoints to a new store instance.
let log = new InMemoryEventLog();
let checkpoints = new InMemoryCheckpointStore();

describeEventStoreContract('in-memory', async ({ fresh }) => {
  if (fresh) {
    log = new InMemoryEventLog();
    checkpoints = new InMemoryCheckpointStore();
  }
  const store = new InMemoryEventStore(log);
  return { store, checkpoints, dispose: () => store.close() };
});
