import { describeEventStoreContract } from '../testing';
import { InMemoryCheckpointStore } from '../in-memory/in-memory-checkpoint-store';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

// EventStoreDB keeps no checkpoints for catch-up subscriptions (the client does), so an
// in-memory checkpoint store shared across "restarts" stands in for the application's one.
// One server holds all data: `fresh` cannot give an empty log, and the suite does not need it
// (every test writes under its own random stream prefix).
const url = process.env.EVENTSTOREDB_URL;
const checkpoints = new InMemoryCheckpointStore();

describeEventStoreContract(
  'EventStoreDB',
  async () => {
    const store = await EventStoreDbEventStore.connect(url!);
    return { store, checkpoints, dispose: () => store.close() };
  },
  url ? {} : { skip: 'EVENTSTOREDB_URL is not set; no EventStoreDB server can be installed here' },
);
