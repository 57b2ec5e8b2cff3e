export * from './free-port';
export * from './debian-packages';
export * from './child-processes';
export * from './nats-server';
export * from './postgres-cluster';
export * from './test-servers';
export * from './system';
