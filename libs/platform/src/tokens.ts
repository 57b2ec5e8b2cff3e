/** Injection tokens of what every service shares. */
export const SERVICE_ENVIRONMENT = Symbol('SERVICE_ENVIRONMENT');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const CHECKPOINT_STORE = Symbol('CHECKPOINT_STORE');
export const DATABASE_POOL = Symbol('DATABASE_POOL');
export const ROLE_MODEL = Symbol('ROLE_MODEL');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const SERVICE_BUS = Symbol('SERVICE_BUS');
