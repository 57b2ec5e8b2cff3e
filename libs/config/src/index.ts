export * from './environment';
export * from './logger';
export * from './api-tokens';
export * from './people';
export * from './password-delivery';
