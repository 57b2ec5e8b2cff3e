export * from './start-tracing';
export * from './event-tracing';
export * from './connector-tracing';
export * from './http-tracing';
