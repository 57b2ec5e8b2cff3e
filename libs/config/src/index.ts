export * from './environment';
export * from './hardening';
export * from './logger';
export * from './redaction';
