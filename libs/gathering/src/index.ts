/**
 * Gathering concurrent calls into one round trip: the event store's group commit, and the other
 * places where one call can serve many items (the agent's report batches, the LDAP connector's
 * group modifies, the orders service's coalesced reads). Free of any I/O of its own, so that any
 * library may use it without depending on the one that first needed it.
 */
export { GroupCommit, type GroupCommitOptions, type Outcome, takeGroup } from './group-commit';
export { Pacer, type Pacing, pacedDelay, pacedStep } from './pacing';
