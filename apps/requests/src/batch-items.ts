// Shared with the orders service's report batches (ADR 0054); kept here for this app's imports.
export { eachItem } from '@prov/platform';
