export * from './schema';
export * from './projector';
export * from './projections/projection';
export * from './queries/views';
export * from './queries/read-model-queries';
export * from './queries/paging';
export * from './queries/scans';
export * from './rebuild';
