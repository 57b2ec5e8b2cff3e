export * from './command-caller';
export * from './assignment.messages';
export * from './identity.messages';
export * from './order-decision.messages';
export * from './batch.messages';
export * from './order-report.messages';
export * from './synchronization-report';
