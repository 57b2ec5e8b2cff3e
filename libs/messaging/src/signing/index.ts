export * from './command-keys';
export * from './command-senders';
export * from './command-token';
export * from './command-signature.guard';
