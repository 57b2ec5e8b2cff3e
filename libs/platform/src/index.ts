export * from './tokens';
export * from './platform.module';
export * from './reaction-runner';
export * from './bootstrap';
export * from './nats.provider';
export * from './command-caller.dto';
export * from './role-model.source';
export * from './service-bus';
