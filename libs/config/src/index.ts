export * from './environment';
export * from './logger';
export * from './lifecycle';
export * from './timers';
export * from './read-back';
