/**
 * Contracts shared by the gateway and the services: one class per command message, validated the
 * same on both sides of the bus. Pure formats the console also bundles live under their own entry
 * points (`@prov/contracts/csv`), free of the framework imports this one has.
 */
export * from './commands';
