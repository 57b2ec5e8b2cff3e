export * from './api-client';
export * from './build';
export * from './services';
export * from './system';
