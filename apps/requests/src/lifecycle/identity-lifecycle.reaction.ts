import { Inject, Injectable, Logger } from '@nestjs/common';
import { commandMetadata, type EventMetadata, reactionMetadata } from '@prov/command-handling';
import { birthrightChanges, type RegisteredIdentity } from '@prov/domain';
import type { RecordedEvent } from '@prov/event-store';
import { identityAttributes, type Reaction, ROLE_MODEL } from '@prov/platform';
import type { RoleModel } from '@prov/role-model';
import { EntitlementHoldings } from './entitlement-holdings';

const ACTOR = 'requests';

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

  /** Brings the identity's assignments in line with its status and the rules in force. */
  async settle(identityId: string, metadata: EventMetadata = commandMetadata({ actor: ACTOR }, new Date())) {
    const identity = await this.holdings.identity(identityId);
    if (!identity.exists) return;
    if (!identity.active) await this.revokeAll(identity, metadata);
    await this.applyRules(identity, metadata);
  }

  private async revokeAll(identity: RegisteredIdentity, metadata: EventMetadata): Promise<void> {
    for (const holding of Object.values(identity.holdings)) {
      await this.holdings.revoke(holding.assignmentId, {
        byRequest: false,
        comment: 'identity deactivated',
        actor: ACTOR,
        now: new Date(),
        metadata,
      });
    }
  }

  private async applyRules(identity: RegisteredIdentity, metadata: EventMetadata): Promise<void> {
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
      await this.holdings.hold({
        identityId: current.identityId,
        entitlementId,
        holder: actor,
        comment: `granted by birthright rule ${ruleId}`,
        actor,
        now: new Date(),
        metadata,
      });
    }
    for (const { ruleId, entitlementId } of changes.release) {
      await this.holdings.releaseHold(current.identityId, entitlementId, `rule:${ruleId}`, {
        comment: `birthright rule ${ruleId} no longer holds`,
        actor: `rule:${ruleId}`,
        now: new Date(),
        metadata,
      });
    }
  }
}
