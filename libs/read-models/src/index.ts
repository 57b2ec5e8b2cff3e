export * from './schema';
export * from './projector';
export * from './projections/projection';
export * from './queries/views';
export * from './queries/read-model-queries';
export * from './rebuild';
export * from './queries/timer-queries';
