// Connectors: how provisioning orders are written into managed systems and how those systems are
// read back for synchronization.
export * from './connector';
export * from './errors';
export * from './observation';
export * from './drift';
export * from './registry';
export { SqlConnector } from './sql/sql-connector';
export {
  readSqlSettings,
  SQL_SCHEMA_PATTERN,
  type SqlConnectorSettings,
  type SqlAccountsMapping,
  type SqlMembershipsMapping,
} from './sql/sql-settings';
export { SQL_IDENTIFIER_PATTERN } from './sql/sql-mapping-settings';
export { isTransientSqlError, toSqlConnectorError } from './sql/sql-errors';
export { ManualConnector } from './manual/manual-connector';
export * from './scim';
export { LdapConnector, type LdapChangedResources } from './ldap/ldap-connector';
export * from './ad';
export * from './ownership';
// The agent keeps one assignment's orders in turn with the same queue its connectors use per account.
export { KeyedQueue } from './concurrency';
