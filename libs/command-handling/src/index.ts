export * from './deterministic-uuid';
export * from './handle-command';
