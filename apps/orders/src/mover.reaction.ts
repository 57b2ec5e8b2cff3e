import { Inject, Injectable, Logger } from '@nestjs/common';
import { handleWhenResult, retry } from 'cockatiel';
import { deterministicUuid, type EventMetadata, reactionMetadata } from '@prov/command-handling';
import { currentOrder, type RegisteredIdentity } from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { type Reaction, ROLE_MODEL } from '@prov/platform';
import type { RoleModel } from '@prov/role-model';
import { AccountOwnership } from './account-ownership';
import { AssignmentCommands } from './assignment-commands';
import { onSameCurrentOrder, orderForMover } from './decisions/order-generation.decisions';

/** An order is planned again when the assignment changed between reading and appending: 5 plans at most. */
const PLANS = retry(
  handleWhenResult((stale) => stale === true),
  { maxAttempts: 4 },
);

/**
 * The mover: when an identity changes, every assignment it holds is evaluated again, and each one
 * whose computed account changed gets an order through the normal path (review when required,
 * agent or operator, verification): a Modified order with only the changed attributes, naming
 * the previous key when the account key changed so that the connector renames the account.
 * Like every generated order it passes AccountOwnership.guard. The order id comes from the
 * identity event and the assignment, so a repeat writes nothing.
 */
@Injectable()
export class MoverReaction implements Reaction {
  readonly name = 'orders.mover';
  readonly filter = { streamNamePrefixes: ['identity-'], eventTypes: ['IdentityUpdated'] };
  private readonly logger = new Logger('Mover');

  constructor(
    private readonly assignments: AssignmentCommands,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    private readonly ownership: AccountOwnership,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    const identity = await this.assignments.identity((event.data as { identityId: string }).identityId);
    if (!identity.exists) return;
    const now = new Date();
    const metadata = reactionMetadata(event, 'orders', now);
    for (const { assignmentId } of Object.values(identity.holdings)) {
      const orderId = deterministicUuid('order', event.id, assignmentId);
      await this.generate(assignmentId, identity, orderId, now, metadata);
    }
  }

  /**
   * Plans the order from the assignment as read, passes it through the ownership guard (the one
   * place every generated order passes: a new key that is another identity's account gives 7
   * Error naming both), and appends it if the assignment has not moved on meanwhile; if it has,
   * the order is planned again from what it is now.
   */
  private async generate(
    assignmentId: string,
    identity: RegisteredIdentity,
    orderId: string,
    now: Date,
    metadata: EventMetadata,
  ): Promise<void> {
    const stale = await PLANS.execute(async () => {
      const state = await this.assignments.load(assignmentId);
      if (!state.exists || Object.hasOwn(state.orders, orderId)) return false;
      const command = orderForMover(state, identity, orderId, now, this.roleModel);
      if (!command) return false;
      if (command.type === 'RecordRoleModelEvaluationFailure') {
        this.logger.warn({
          msg: 'role model evaluation failed for a mover',
          assignmentId,
          error: command.error,
        });
      }
      const planned = await this.ownership.guard(command, identity.identityId, metadata);
      const basis = currentOrder(state);
      let moved = false;
      await this.assignments.execute(
        assignmentId,
        (latest) => {
          if (!latest.exists || Object.hasOwn(latest.orders, orderId)) return undefined;
          moved = !onSameCurrentOrder(latest, basis);
          return moved ? undefined : planned;
        },
        metadata,
        (index) => deterministicUuid('event', orderId, String(index)),
      );
      return moved;
    });
    if (!stale) return;
    this.logger.warn({
      msg: 'mover order not generated: the assignment kept changing',
      assignmentId,
      orderId,
    });
  }
}
