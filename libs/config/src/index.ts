export * from './environment';
export * from './logger';
export * from './read-back';
