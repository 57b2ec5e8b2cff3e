import { Inject, Injectable, Logger } from '@nestjs/common';
import { commandMetadata, type EventMetadata, reactionMetadata } from '@prov/command-handling';
import { birthrightChanges, type RegisteredIdentity } from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { identityAttributes, type Reaction, ROLE_MODEL } from '@prov/platform';
import type { RoleModel } from '@prov/role-model';
import { EntitlementHoldings } from './entitlement-holdings';

const ACTOR = 'requests';

/** What settling an identity changed: assignments requested for it, and assignments revoked. */
export interface SettleOutcome {
  granted: string[];
  revoked: string[];
}

/**
 * What follows from an identity's life: on registration, change and reactivation the birthright
 * rules are evaluated (grant what is due, release what no longer is); on deactivation every
 * assignment is revoked, never held by review (the Deleted orders skip it). Each step reads the
 * identity again, so handling an event twice, or late, does what the identity needs now.
 */
@Injectable()
export class IdentityLifecycleReaction implements Reaction {
  readonly name = 'requests.identity-lifecycle';
  readonly filter = {
    streamNamePrefixes: ['identity-'],
    eventTypes: ['IdentityRegistered', 'IdentityUpdated', 'IdentityDeactivated', 'IdentityReactivated'],
  };
  private readonly logger = new Logger('IdentityLifecycle');

  constructor(
    private readonly holdings: EntitlementHoldings,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    const identityId = (event.data as { identityId: string }).identityId;
    await this.settle(identityId, reactionMetadata(event, ACTOR, new Date()));
  }

  /**
   * Brings the identity's assignments in line with its status and the rules in force. Used by
   * this reaction, the sweep on a role-model change, and the complete job's evaluate task.
   */
  async settle(
    identityId: string,
    metadata: EventMetadata = commandMetadata({ actor: ACTOR }, new Date()),
  ): Promise<SettleOutcome> {
    const outcome: SettleOutcome = { granted: [], revoked: [] };
    const identity = await this.holdings.identity(identityId);
    if (!identity.exists) return outcome;
    if (!identity.active) await this.revokeAll(identity, metadata, outcome);
    await this.applyRules(identity, metadata, outcome);
    return outcome;
  }

  private async revokeAll(
    identity: RegisteredIdentity,
    metadata: EventMetadata,
    outcome: SettleOutcome,
  ): Promise<void> {
    for (const holding of Object.values(identity.holdings)) {
      outcome.revoked.push(holding.assignmentId);
      await this.holdings.revoke(holding.assignmentId, {
        byRequest: false,
        comment: 'identity deactivated',
        actor: ACTOR,
        now: new Date(),
        metadata,
      });
    }
  }

  private async applyRules(
    identity: RegisteredIdentity,
    metadata: EventMetadata,
    outcome: SettleOutcome,
  ): Promise<void> {
    const current = await this.holdings.identity(identity.identityId);
    if (!current.exists) return;
    const { due, failed } = this.roleModel.rulesFor(identityAttributes(current));
    for (const { ruleId, reason } of failed) {
      this.logger.warn({
        msg: 'birthright rule not evaluated',
        identityId: current.identityId,
        ruleId,
        reason,
      });
    }
    const changes = birthrightChanges(current.holdings, due, {
      active: current.active,
      unsettledRuleIds: failed.map((f) => f.ruleId),
    });
    for (const { ruleId, entitlementId } of changes.grant) {
      const actor = `rule:${ruleId}` as const;
      const held = await this.holdings.hold({
        identityId: current.identityId,
        entitlementId,
        holder: actor,
        comment: `granted by birthright rule ${ruleId}`,
        actor,
        now: new Date(),
        metadata,
      });
      if (held.created) outcome.granted.push(held.assignmentId);
    }
    for (const { ruleId, entitlementId } of changes.release) {
      const revoked = await this.holdings.releaseHold(current.identityId, entitlementId, `rule:${ruleId}`, {
        comment: `birthright rule ${ruleId} no longer holds`,
        actor: `rule:${ruleId}`,
        now: new Date(),
        metadata,
      });
      if (revoked) outcome.revoked.push(revoked);
    }
  }
}
