export * from './core';
export * from './in-memory';
export * from './postgres';
export * from './eventstoredb';
