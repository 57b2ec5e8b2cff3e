export * from './environment';
export * from './logger';
