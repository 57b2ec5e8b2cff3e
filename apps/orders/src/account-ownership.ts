import { Inject, Injectable } from '@nestjs/common';
import { handleType, retry } from 'cockatiel';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { deterministicUuid, type EventMetadata } from '@prov/command-handling';
import {
  type AssignmentCommand,
  type AssignmentState,
  currentOrder,
  ProvisioningState,
  type RecordRoleModelEvaluationFailure,
} from '@prov/domain';
import {
  type EventStore,
  type StreamAppend,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@prov/event-store';
import { GroupCommit } from '@prov/gathering';
import { DATABASE_POOL, EVENT_STORE } from '@prov/platform';
import { type AccountKeyOnConnection, accountKeyHolders } from '@prov/read-models';
import { AssignmentCommands } from './assignment-commands';
import { mayHaveBeenWritten } from './written-states';

/**
 * One owner per account: order generation never points two identities at one account key on a
 * connection. Each key has a claim stream (`accountkey-<uuid of connection and key>`) listing the
 * assignments that pointed at it; appending a claim with the revision read serializes two
 * generations racing for one key. Whether an earlier claimant still holds the key is read from
 * its assignment stream (never stale), so a key is free again once its holder's assignments are
 * revoked or point elsewhere. Orders generated before claims existed are found in the read model.
 */

export interface AccountClaim {
  connectionId: string;
  accountKey: string;
  identityId: string;
  assignmentId: string;
}

export function accountKeyStreamName(connectionId: string, accountKey: string): string {
  return `accountkey-${deterministicUuid('account-key', connectionId, accountKey)}`;
}

// Declined (0) and failed (7) orders point nowhere; every other state may have written the account or will.
const POINTS_NOWHERE = new Set<number>([ProvisioningState.None, ProvisioningState.Error]);
// A removal in one of these states is over (done, or never going to happen): the account is let go.
const REMOVAL_OVER = new Set<number>([
  ProvisioningState.Verified,
  ProvisioningState.None,
  ProvisioningState.Inactive,
  ProvisioningState.Error,
]);

/**
 * Does this assignment, which claimed the account key on the connection, hold it? It does while
 * its current order points at the key, while its first order is still to be appended, and after
 * a revocation until the removal is verified: the account is still in the target until then, and
 * another identity must not be pointed at it.
 */
export function holdsAccountKey(state: AssignmentState, connectionId: string, accountKey: string): boolean {
  if (!state.exists) return false;
  const order = currentOrder(state);
  // A claimant still awaiting its first order claimed the key for it a moment ago (claim before
  // order): free here, both racing identities would get the key (ADR 0052).
  if (!order) return state.workflowState === 'Requested' && Object.keys(state.orders).length === 0;
  if (order.connectionId !== connectionId) return false;
  if ((order.changes as { accountKey?: unknown }).accountKey !== accountKey) return false;
  if (order.changeType === 'Deleted') return !REMOVAL_OVER.has(order.stateCode);
  if (state.workflowState === 'Requested') return !POINTS_NOWHERE.has(order.stateCode);
  return mayHaveBeenWritten(order.stateCode);
}

/** The reason an order must not be generated, naming both identities, or undefined when the key is free. */
export function ownershipConflict(
  claim: AccountClaim,
  holderIdentityIds: readonly string[],
): string | undefined {
  const others = [...new Set(holderIdentityIds)].filter((id) => id !== claim.identityId).sort();
  if (others.length === 0) return undefined;
  return (
    `account key '${claim.accountKey}' on connection ${claim.connectionId} is already the account of identity ` +
    `${others.join(', ')}; identity ${claim.identityId} computes the same key (one owner per account)`
  );
}

/** A claim that lost a race (the stream moved on under it) is decided again, up to six tries in all. */
const CLAIM_RACES = retry(handleType(WrongExpectedVersionError), { maxAttempts: 5 });

/** Keys of one read-model statement (ADR 0052). */
const MAX_KEYS_PER_QUERY = 128;

@Injectable()
export class AccountOwnership {
  /**
   * The read model's holders of keys asked in one turn, or while another question is on its way,
   * go together as one statement (as the group commit does with appends: no timer, a lone question
   * leaves at the end of its turn): generation asks once per order, for up to its concurrency of
   * orders at once.
   */
  private readonly readModelHolders: GroupCommit<AccountKeyOnConnection, string[]>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE_POOL) pool: Pool,
    private readonly assignments: AssignmentCommands,
  ) {
    this.readModelHolders = new GroupCommit(
      async (keys) => (await accountKeyHolders(pool, keys)).map((value) => ({ ok: true as const, value })),
      { maxInFlight: 2, maxWeight: MAX_KEYS_PER_QUERY },
    );
  }

  /**
   * The command to run instead of `command`: itself when it does not point at an account or
   * the identity may have the account; else the order goes to 7 Error with the reason.
   */
  async guard(
    command: AssignmentCommand,
    identityId: string,
    metadata: EventMetadata,
  ): Promise<AssignmentCommand> {
    if (command.type !== 'GenerateProvisioningOrder' || command.changeType === 'Deleted') return command;
    const accountKey = command.changes.accountKey;
    if (typeof accountKey !== 'string') return command;
    const conflict = await this.claim(
      { connectionId: command.connectionId, accountKey, identityId, assignmentId: command.assignmentId },
      metadata,
    );
    if (!conflict) return command;
    const failure: RecordRoleModelEvaluationFailure = {
      type: 'RecordRoleModelEvaluationFailure',
      assignmentId: command.assignmentId,
      orderId: command.orderId,
      now: command.now,
      actor: command.actor,
      error: conflict,
    };
    return failure;
  }

  /**
   * The key's first claim, to be appended as one part of the order's append (ADR 0066): the
   * claim stream as new (`no_stream`), so that the append fails as a whole if anyone claimed the
   * key before. Undefined when the command claims no key, or the read model names another holder:
   * then `guard` decides, as it does when the append is refused.
   */
  async firstClaim(
    command: AssignmentCommand,
    identityId: string,
    metadata: EventMetadata,
  ): Promise<StreamAppend | undefined> {
    if (!this.store.appendToStreams) return undefined;
    if (command.type !== 'GenerateProvisioningOrder' || command.changeType === 'Deleted') return undefined;
    const { connectionId, assignmentId } = command;
    const accountKey = command.changes.accountKey;
    if (typeof accountKey !== 'string') return undefined;
    const claim: AccountClaim = { connectionId, accountKey, identityId, assignmentId };
    if (ownershipConflict(claim, await this.readModelHolders.submit({ connectionId, accountKey })))
      return undefined;
    return {
      streamName: accountKeyStreamName(connectionId, accountKey),
      events: [{ id: randomUUID(), type: 'AccountKeyClaimed', data: claim, metadata }],
      expectedRevision: 'no_stream',
    };
  }

  /**
   * Claims the key for the identity: undefined when it may have it, else why not. Most keys are
   * met for the first time, so the first attempt appends as the stream's first claim without
   * reading it: if the stream exists the append fails on its expected revision, appends nothing,
   * and the next attempt reads the earlier claims (two round trips per new key instead of three).
   */
  async claim(claim: AccountClaim, metadata: EventMetadata): Promise<string | undefined> {
    return CLAIM_RACES.execute(({ attempt }) => this.claimOnce(claim, metadata, attempt === 0));
  }

  private async claimOnce(
    claim: AccountClaim,
    metadata: EventMetadata,
    first: boolean,
  ): Promise<string | undefined> {
    const stream = accountKeyStreamName(claim.connectionId, claim.accountKey);
    const fromReadModel = await this.readModelHolders.submit({
      connectionId: claim.connectionId,
      accountKey: claim.accountKey,
    });
    const recorded = first
      ? []
      : await this.store.readStream(stream).catch((error: unknown) => {
          if (error instanceof StreamNotFoundError) return [];
          throw error;
        });
    const claims = recorded.map((event) => event.data as AccountClaim);
    const holders: string[] = [];
    for (const earlier of claims) {
      if (earlier.identityId === claim.identityId || holders.includes(earlier.identityId)) continue;
      const state = await this.assignments.load(earlier.assignmentId);
      if (holdsAccountKey(state, claim.connectionId, claim.accountKey)) holders.push(earlier.identityId);
    }
    holders.push(...fromReadModel);
    const conflict = ownershipConflict(claim, holders);
    if (conflict || claims.some((c) => c.assignmentId === claim.assignmentId)) return conflict;
    await this.store.appendToStream(
      stream,
      [{ id: randomUUID(), type: 'AccountKeyClaimed', data: claim, metadata }],
      { expectedRevision: recorded.length ? recorded[recorded.length - 1].revision : 'no_stream' },
    );
    return undefined;
  }
}
