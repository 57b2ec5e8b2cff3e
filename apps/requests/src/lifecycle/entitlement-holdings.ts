import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type EventMetadata, handleCommand, type LoadedStream, loadStream } from '@prov/command-handling';
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

export interface HoldRequest {
  identityId: string;
  entitlementId: string;
  holder: EntitlementHolder;
  /** The id for a new assignment; an existing one is kept. */
  assignmentId?: string;
  startsAt?: Date;
  endsAt?: Date;
  comment?: string;
  actor: string;
  now: Date;
  metadata: EventMetadata;
}

const sameDate = (a: string | undefined, b: Date | undefined) =>
  (a === undefined ? undefined : Date.parse(a)) === b?.getTime();

/**
 * One assignment per identity and entitlement. The identity stream records which assignment
 * gives each entitlement and who holds it (a request, birthright rules); it is written first,
 * with the revision read, so concurrent requests end on one assignment. The assignment stream
 * is written second: a crash in between leaves a holding whose assignment is created on the
 * next attempt, and a revoked assignment still recorded as held is released when next met.
 */
@Injectable()
export class EntitlementHoldings {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  identity(identityId: string): Promise<IdentityState> {
    return loadStream(this.store, identityDecider, identityStreamName(identityId)).then((s) => s.state);
  }

  assignment(assignmentId: string): Promise<AssignmentState> {
    return loadStream(this.store, assignmentDecider, assignmentStreamName(assignmentId)).then((s) => s.state);
  }

  identityCommand(command: IdentityCommand, metadata: EventMetadata) {
    return handleCommand(this.store, identityDecider, identityStreamName(command.identityId), command, {
      metadata,
    });
  }

  /**
   * Gives the identity the entitlement through its one assignment; `created` when a new one was
   * requested. A new request costs three round trips: the identity is read once and appended to
   * with that revision, and a new assignment stream is created without reading it first (a
   * conflict in either reads the stream and decides again).
   */
  async hold(request: HoldRequest): Promise<{ assignmentId: string; created: boolean }> {
    const { identityId, entitlementId, now, actor, metadata } = request;
    let loaded: LoadedStream<IdentityState> | undefined = await loadStream(
      this.store,
      identityDecider,
      identityStreamName(identityId),
    );
    const identity = loaded.state;
    if (!identity.exists) throw new IdentityNotFoundError(identityId, 'RequestAssignment');
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
    const outcome = await handleCommand(
      this.store,
      identityDecider,
      identityStreamName(identityId),
      {
        type: 'HoldEntitlement',
        identityId,
        entitlementId,
        assignmentId: request.assignmentId ?? randomUUID(),
        holder: request.holder,
        now,
        actor,
      },
      { metadata, loaded },
    );
    const holding = findHolding(outcome.state, entitlementId);
    if (!holding)
      throw new Error(`identity ${identityId} records no holding of ${entitlementId} after holding it`);
    // A holding this command began names an assignment nobody has created yet (as a rule).
    const created = await this.ensureAssignment(holding.assignmentId, request, !existing);
    return { assignmentId: holding.assignmentId, created };
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
        (state) =>
          state.exists
            ? undefined
            : {
                type: 'RequestAssignment' as const,
                assignmentId,
                identityId: request.identityId,
                entitlementId: request.entitlementId,
                startsAt: request.startsAt,
                endsAt: request.endsAt,
                comment: request.comment,
                now: request.now,
                actor: request.actor,
              },
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
