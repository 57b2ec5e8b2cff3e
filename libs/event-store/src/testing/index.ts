export { describeEventStoreContract } from './contract';
export type { ContractFactory, ContractFixture, ContractOptions } from './contract';
export { waitForPostgres } from './postgres';
