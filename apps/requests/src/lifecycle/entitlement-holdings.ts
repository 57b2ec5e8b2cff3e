import { Inject, Injectable } from '@nestjs/common';
import {
  coalescingReads,
  decideOnGuess,
  type EventMetadata,
  handleCommand,
  KnownStreams,
  type LoadedStream,
  loadStream,
} from '@prov/command-handling';
import {
  AssignmentAlreadyExistsError,
  AssignmentDatesDifferError,
  assignmentDecider,
  type AssignmentState,
  assignmentStreamName,
  EntitlementHeldByRuleError,
  type EntitlementHolder,
  findHolding,
  type IdentityCommand,
  identityDecider,
  IdentityNotFoundError,
  type IdentityState,
  identityStreamName,
  ruleHolders,
} from '@prov/domain';
import type { EventStore } from '@prov/event-store';
import { EVENT_STORE } from '@prov/platform';
import { holdAndRequestOnGuess, holdCommand, type HoldRequest, requestCommand } from './hold-on-guess';

export type { HoldRequest } from './hold-on-guess';

/**
 * Identities remembered for a guess (ADR 0051): about 1.4 KB each with three holdings, so some
 * 11 MiB when full; enough for the identities of a few registration batches or an onboarding wave.
 */
export const KNOWN_IDENTITIES = 8_192;

const sameDate = (a: string | undefined, b: Date | undefined) =>
  (a === undefined ? undefined : Date.parse(a)) === b?.getTime();

/**
 * One assignment per identity and entitlement. The identity stream records which assignment
 * gives each entitlement and who holds it (a request, birthright rules); it is written first,
 * with the revision read (or known, ADR 0051), so concurrent requests end on one assignment.
 * The assignment stream is written second: a crash in between leaves a holding whose assignment
 * is created on the next attempt, and a revoked assignment still recorded as held is released
 * when next met.
 */
@Injectable()
export class EntitlementHoldings {
  /** Each identity as this process last read or wrote it: a guess for a new holding, never an answer. */
  private readonly known = new KnownStreams<IdentityState>(KNOWN_IDENTITIES);

  /** Reads of identities that arrive together share a statement (ADR 0072, as in `orders`). */
  private readonly store: EventStore;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.store = coalescingReads(store);
  }

  async identity(identityId: string): Promise<IdentityState> {
    return (await this.loadIdentity(identityId)).state;
  }

  private async loadIdentity(identityId: string): Promise<LoadedStream<IdentityState>> {
    const streamName = identityStreamName(identityId);
    const loaded = await loadStream(this.store, identityDecider, streamName);
    this.known.remember(streamName, loaded);
    return loaded;
  }

  assignment(assignmentId: string): Promise<AssignmentState> {
    return loadStream(this.store, assignmentDecider, assignmentStreamName(assignmentId)).then((s) => s.state);
  }

  async identityCommand(command: IdentityCommand, metadata: EventMetadata) {
    const streamName = identityStreamName(command.identityId);
    const outcome = await handleCommand(this.store, identityDecider, streamName, command, { metadata });
    this.known.remember(streamName, { state: outcome.state, revision: outcome.nextExpectedRevision });
    return outcome;
  }

  /**
   * Gives the identity the entitlement through its one assignment; `created` when a new one was
   * requested. A new holding of an identity this process knows costs one round trip: the holding,
   * at the known revision (the store's acceptance proves it current), and the new assignment
   * stream are appended together, all or none (ADR 0061; two appends on a store without
   * `appendToStreams`). Otherwise the identity is read and the new holding takes the same append
   * at the revision read (ADR 0072): most identities of a large population are not among those
   * this process remembers. A holding to look into (an existing one, a conflict) is decided on
   * the stream read, appended to with that revision (a conflict reads it and decides again).
   */
  async hold(request: HoldRequest): Promise<{ assignmentId: string; created: boolean }> {
    const { identityId, entitlementId, now, actor, metadata } = request;
    const known = await this.holdOn(request, this.known.get(identityStreamName(identityId)));
    if (known) return known;
    let loaded: LoadedStream<IdentityState> | undefined = await this.loadIdentity(identityId);
    const identity = loaded.state;
    if (!identity.exists) throw new IdentityNotFoundError(identityId, 'RequestAssignment');
    const read = await this.holdOn(request, loaded);
    if (read) return read;
    const existing = findHolding(identity, entitlementId);
    if (existing) {
      const assignment = await this.assignment(existing.assignmentId);
      if (assignment.exists && assignment.workflowState !== 'Requested') {
        await this.release(identityId, entitlementId, existing.assignmentId, actor, now, metadata);
        loaded = undefined;
      } else if (assignment.exists && request.holder === 'request') {
        if (
          !sameDate(assignment.startsAt, request.startsAt) ||
          !sameDate(assignment.endsAt, request.endsAt)
        ) {
          throw new AssignmentDatesDifferError(existing.assignmentId, entitlementId);
        }
      }
    }
    const streamName = identityStreamName(identityId);
    const outcome = await handleCommand(this.store, identityDecider, streamName, holdCommand(request), {
      metadata,
      loaded,
    });
    this.known.remember(streamName, { state: outcome.state, revision: outcome.nextExpectedRevision });
    const holding = findHolding(outcome.state, entitlementId);
    if (!holding)
      throw new Error(`identity ${identityId} records no holding of ${entitlementId} after holding it`);
    // A holding this command began names an assignment nobody has created yet (as a rule).
    const created = await this.ensureAssignment(holding.assignmentId, request, !existing);
    return { assignmentId: holding.assignmentId, created };
  }

  /**
   * A new holding decided on the identity as this process knew or just read it, when that shows
   * it active and without the entitlement, with the new assignment it names: the answer once the
   * store accepted the holding at that revision, else undefined (nothing known, a holding to look
   * into, or the identity moved on: the caller then decides on the stream as read).
   */
  private async holdOn(
    request: HoldRequest,
    guess: { state: IdentityState; revision: bigint | undefined } | undefined,
  ): Promise<{ assignmentId: string; created: boolean } | undefined> {
    const streamName = identityStreamName(request.identityId);
    if (!guess?.state.exists || !guess.state.active || findHolding(guess.state, request.entitlementId))
      return undefined;
    const hold = holdCommand(request);
    const together = this.store.appendToStreams !== undefined;
    const outcome = together
      ? await holdAndRequestOnGuess(this.store, streamName, hold, guess, request)
      : await decideOnGuess(this.store, identityDecider, streamName, hold, guess, request.metadata);
    if (!outcome) {
      this.known.forget(streamName);
      return undefined;
    }
    this.known.remember(streamName, { state: outcome.state, revision: outcome.nextExpectedRevision });
    const assignmentId = findHolding(outcome.state, request.entitlementId)!.assignmentId;
    return { assignmentId, created: together || (await this.ensureAssignment(assignmentId, request, true)) };
  }

  private async ensureAssignment(
    assignmentId: string,
    request: HoldRequest,
    isNew: boolean,
  ): Promise<boolean> {
    try {
      const outcome = await handleCommand(
        this.store,
        assignmentDecider,
        assignmentStreamName(assignmentId),
        (state) => (state.exists ? undefined : requestCommand(assignmentId, request)),
        {
          metadata: request.metadata,
          // Wrong only if the assignment id was used before (a caller's id): then the stream is read.
          loaded: isNew ? { state: assignmentDecider.initialState(), revision: undefined } : undefined,
        },
      );
      return outcome.events.length > 0;
    } catch (error) {
      if (error instanceof AssignmentAlreadyExistsError) return false;
      throw error;
    }
  }

  /**
   * Revokes an assignment and frees the entitlement. A person's revocation (`byRequest`) is
   * refused while a birthright rule holds the entitlement: the rule would grant it right back.
   */
  async revoke(
    assignmentId: string,
    options: { byRequest: boolean; comment?: string; actor: string; now: Date; metadata: EventMetadata },
  ): Promise<void> {
    const assignment = await this.assignment(assignmentId);
    if (assignment.exists && options.byRequest) {
      const identity = await this.identity(assignment.identityId);
      const holding = findHolding(identity, assignment.entitlementId);
      const rules = holding?.assignmentId === assignmentId ? ruleHolders(holding) : [];
      if (rules.length > 0 && assignment.workflowState === 'Requested') {
        throw new EntitlementHeldByRuleError(assignmentId, rules);
      }
    }
    await handleCommand(
      this.store,
      assignmentDecider,
      assignmentStreamName(assignmentId),
      {
        type: 'RevokeAssignment',
        assignmentId,
        comment: options.comment,
        now: options.now,
        actor: options.actor,
      },
      { metadata: options.metadata },
    );
    if (assignment.exists) {
      const { identityId, entitlementId } = assignment;
      await this.release(
        identityId,
        entitlementId,
        assignmentId,
        options.actor,
        options.now,
        options.metadata,
      );
    }
  }

  /** A holder leaves; the assignment is revoked once nobody holds it any more (its id is returned then). */
  async releaseHold(
    identityId: string,
    entitlementId: string,
    holder: EntitlementHolder,
    options: { comment: string; actor: string; now: Date; metadata: EventMetadata },
  ): Promise<string | undefined> {
    const { actor, now, metadata } = options;
    const outcome = await this.identityCommand(
      { type: 'ReleaseEntitlementHold', identityId, entitlementId, holder, now, actor },
      metadata,
    );
    const holding = findHolding(outcome.state, entitlementId);
    if (holding && holding.holders.length === 0) {
      await this.revoke(holding.assignmentId, { ...options, byRequest: false });
      return holding.assignmentId;
    }
    return undefined;
  }

  private async release(
    identityId: string,
    entitlementId: string,
    assignmentId: string,
    actor: string,
    now: Date,
    metadata: EventMetadata,
  ): Promise<void> {
    await this.identityCommand(
      { type: 'ReleaseEntitlement', identityId, entitlementId, assignmentId, now, actor },
      metadata,
    );
  }
}
