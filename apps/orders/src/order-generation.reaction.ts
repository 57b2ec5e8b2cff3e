import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  type CommandOutcome,
  commandMetadata,
  deterministicUuid,
  type EventMetadata,
  type LoadedStream,
  reactionMetadata,
} from '@prov/command-handling';
import type {
  AssignmentCommand,
  AssignmentEvent,
  AssignmentRequested,
  AssignmentRevoked,
  AssignmentState,
} from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { ROLE_MODEL } from '@prov/platform';
import type { RoleModel } from '@prov/role-model';
import { identityAttributes, type Reaction } from '@prov/platform';
import { AccountOwnership } from './account-ownership';
import type { KnownAssignment } from './assignment-cache';
import { AssignmentCommands } from './assignment-commands';
import { DispatchReaction } from './dispatch.reaction';
import {
  awaitsInitialOrder,
  orderForRequest,
  orderForRevocation,
} from './decisions/order-generation.decisions';

export { identityAttributes };

export const GENERATION_CONCURRENCY = 64;

/**
 * Turns requests and revocations into provisioning orders by evaluating the role model. The
 * order id is derived from the event that caused it, so handling the same event twice (after
 * a crash before the checkpoint) finds the order already there and does nothing.
 */
@Injectable()
export class OrderGenerationReaction implements Reaction {
  readonly name = 'orders.order-generation';
  readonly filter = {
    streamNamePrefixes: ['assignment-'],
    eventTypes: ['AssignmentRequested', 'AssignmentRevoked'],
  };
  /**
   * Requests handled at once (16 by default). Each waits on a few round trips one after the other
   * (identity, account-key holders, claim, order, publish); what the others ask meanwhile leaves
   * with it as one statement (coalesced reads, holders, group commit). With 16 the burst queued
   * here, seconds from request to order, while the batches stayed small (ADR 0052).
   */
  readonly concurrency = GENERATION_CONCURRENCY;
  private readonly logger = new Logger('OrderGeneration');

  constructor(
    private readonly assignments: AssignmentCommands,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    private readonly ownership: AccountOwnership,
    /** Sends what this reaction made Pending at once (ADR 0044); without it the dispatch reaction does. */
    @Optional() private readonly dispatch?: DispatchReaction,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    const data = event.data as (AssignmentRequested | AssignmentRevoked)['data'];
    const now = new Date();
    if (event.type === 'AssignmentRequested') {
      const startsAt = (data as AssignmentRequested['data']).startsAt;
      // Not before its start date: the orders service's timers generate it when the day comes.
      if (startsAt && new Date(startsAt) > now) return;
      await this.generateInitialOrder(data.assignmentId, now, event, data.identityId);
      return;
    }
    const orderId = deterministicUuid('order', event.id);
    const outcome = await this.assignments.execute(
      data.assignmentId,
      (state) =>
        state.exists && !state.orders[orderId] ? orderForRevocation(state, orderId, now) : undefined,
      reactionMetadata(event, 'orders', now),
      (index) => deterministicUuid('event', event.id, String(index)),
      undefined,
      this.assignments.known.after(data.assignmentId, event),
    );
    await this.dispatch?.sendNow(data.assignmentId, outcome);
  }

  /**
   * Generates now what the assignment's request and revocation call for, rather than when this
   * reaction gets to them: the complete job fulfils, in the same run, the assignments its
   * evaluation just requested or revoked. The ids derived from the events make both agree.
   */
  async catchUp(assignmentId: string): Promise<void> {
    // Read (and so known) as it is now: an event handled below is not decided on an older guess.
    for (const event of (await this.assignments.loadStream(assignmentId)).events) {
      if (this.filter.eventTypes.includes(event.type)) await this.handle(event);
    }
  }

  /**
   * Generates an assignment's first order, once: the order id is derived from the assignment, so
   * the reaction and the start-date timer (or a repeat of either) agree on it and only the first
   * one writes. With the identity known from the request, the assignment and the identity are
   * read at once, and the order is appended with the assignment's revision as read (issue 11:
   * each sequential round trip here bounds the rate of the whole engine). The request itself,
   * the stream's first event, tells what the assignment is, so the reaction does not read it but
   * guesses: the append at revision 0 proves the guess, or the stream is read (ADR 0044).
   */
  async generateInitialOrder(
    assignmentId: string,
    now: Date,
    cause?: RecordedEvent,
    identityId?: string,
  ): Promise<boolean> {
    const orderId = deterministicUuid('order', assignmentId, 'initial');
    const guess = cause && this.assignments.known.after(assignmentId, cause);
    const [loaded, knownIdentity] = await Promise.all([
      guess ?? this.assignments.loadStream(assignmentId),
      identityId ? this.assignments.identity(identityId) : undefined,
    ]);
    const current = loaded.state;
    // Orders are never taken back and a revocation is final, so a guess saying no is right too.
    if (!awaitsInitialOrder(current)) return false;
    // An assignment never changes identity, so the request's is the one to read (else read it now).
    const identity =
      knownIdentity && current.identityId === identityId
        ? knownIdentity
        : await this.assignments.identity(current.identityId);
    const metadata = cause
      ? reactionMetadata(cause, 'orders', now)
      : commandMetadata({ actor: 'timer' }, now);
    const registered = identity.exists ? identity : undefined;
    const command = orderForRequest(current, orderId, now, registered, this.roleModel);
    if (command.type === 'RecordRoleModelEvaluationFailure' && registered) {
      this.logger.warn({ msg: 'role model evaluation failed', assignmentId, error: command.error });
    }
    const together =
      guess && (await this.orderWithFirstClaim(assignmentId, command, current.identityId, metadata, guess));
    const outcome =
      together ??
      (await this.assignments.execute(
        assignmentId,
        this.initialOrder(await this.ownership.guard(command, current.identityId, metadata)),
        metadata,
        (index) => deterministicUuid('event', orderId, String(index)),
        guess ? undefined : (loaded as LoadedStream<AssignmentState>),
        guess,
      ));
    await this.dispatch?.sendNow(assignmentId, outcome);
    return outcome.events.length > 0;
  }

  /**
   * The order and its account key's first claim in one append (ADR 0066): one round trip and one
   * commit where the claim and then the order took two, one after the other. Undefined, with
   * nothing written, when the key was claimed before, the read model names a holder, or the guess
   * was stale: `guard` and `execute` then decide as before.
   */
  private async orderWithFirstClaim(
    assignmentId: string,
    command: AssignmentCommand,
    identityId: string,
    metadata: EventMetadata,
    guess: KnownAssignment,
  ): Promise<CommandOutcome<AssignmentState, AssignmentEvent> | undefined> {
    const claim = await this.ownership.firstClaim(command, identityId, metadata);
    if (!claim) return undefined;
    return this.assignments.executeOnGuessAlongside(
      assignmentId,
      this.initialOrder(command),
      metadata,
      guess,
      claim,
    );
  }

  /** The command, for as long as the assignment still awaits its first order (once only). */
  private initialOrder(command: AssignmentCommand) {
    return (state: AssignmentState) => (awaitsInitialOrder(state) ? command : undefined);
  }
}
