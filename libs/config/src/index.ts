export * from './environment';
export * from './hardening';
export * from './logger';
export * from './lifecycle';
export * from './timers';
export * from './read-back';
export * from './redaction';
export * from './bus';
