export { InMemoryEventStore, InMemoryEventLog } from './in-memory-event-store';
export { InMemoryCheckpointStore } from './in-memory-checkpoint-store';
