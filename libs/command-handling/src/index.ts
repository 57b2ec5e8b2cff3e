export * from './deterministic-uuid';
export * from './handle-command';
export * from './known-streams';
export * from './recently-used';
export * from './coalesced-reads';
