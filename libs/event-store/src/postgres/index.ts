export { PostgresEventStore } from './postgres-event-store';
export type { PostgresEventStoreOptions } from './postgres-event-store';
export type { PostgresConnectionOptions } from './pool';
export {
  PostgresCheckpointStore,
  loadCheckpoint,
  storeCheckpointInTransaction,
} from './postgres-checkpoint-store';
export type { CheckpointWriteResult } from './postgres-checkpoint-store';
export { migrateEventStoreSchema, MigrationError } from './schema/migrate';
export type { MigrationReport } from './schema/migrate';
export { MIGRATIONS, NOTIFY_CHANNEL } from './schema/migrations';
export type { Migration } from './schema/migrations';
export type { Outcome } from '@prov/gathering';
export { logBelowGateQuery, logEventKey, logEventsSql, logRangeQuery } from './log-range';
export type { LogRangeOptions, LogRangeQuery } from './log-range';
export { openStreamOrderReader, readLogOrderPage, replayGate } from './replay-read';
export type { ReplayReadOptions, StreamOrderReader } from './replay-read';
