import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { commandMetadata } from '@prov/command-handling';
import {
  IdentityNotFoundError,
  type IdentityState,
  loginStreamName,
  type RegisteredIdentity,
} from '@prov/domain';
import { commandSubject } from '@prov/messaging';
import {
  type BatchCommandReply,
  DeactivateIdentityMessage,
  IdentityStatusMessage,
  RegisterIdentityBatchMessage,
  RegisterIdentityMessage,
  UpdateIdentityMessage,
} from '@prov/contracts';
import { eachItem } from './batch-items';
import { EntitlementHoldings } from './lifecycle/entitlement-holdings';
import { LoginReservations } from './lifecycle/login-reservations';

/** The identity as the API shows it (the same shape as the directory read model). */
export function identityView(identity: RegisteredIdentity) {
  return {
    id: identity.identityId,
    login: identity.login,
    firstName: identity.firstName,
    lastName: identity.lastName,
    email: identity.email,
    ...(identity.department !== undefined ? { department: identity.department } : {}),
    attributes: identity.attributes,
    active: identity.active,
    ...(identity.deactivatedAt ? { deactivatedAt: identity.deactivatedAt } : {}),
    ...(identity.deactivationScheduledAt
      ? { deactivationScheduledAt: identity.deactivationScheduledAt }
      : {}),
  };
}

function registered(identityId: string, state: IdentityState, command: string): RegisteredIdentity {
  if (!state.exists) throw new IdentityNotFoundError(identityId, command);
  return state;
}

/** Who changes the identity and when, with the metadata of the events the change records. */
function callerOf(dto: { actor: string; correlationId?: string; causationId?: string }) {
  const now = new Date();
  return { actor: dto.actor, now, metadata: commandMetadata(dto, now) };
}

/**
 * Joiner, mover, leaver. What follows from a change (birthright rules, Modified orders,
 * revocations) is done by reactions to the stored events, so it survives a crash of this call.
 */
@Controller()
export class IdentitiesHandler {
  constructor(
    private readonly holdings: EntitlementHoldings,
    private readonly logins: LoginReservations,
  ) {}

  /** Registers an identity; registering the same identity again with the same data changes nothing. */
  @MessagePattern(commandSubject('requests', 'register-identity'))
  async register(@Payload() dto: RegisterIdentityMessage): Promise<{ identityId: string; created: boolean }> {
    const now = new Date();
    const identityId = dto.id ?? randomUUID();
    const metadata = commandMetadata(dto, now);
    const caller = { actor: dto.actor, now, metadata };
    const known = (await this.holdings.identity(identityId)).exists;
    if (!known) await this.logins.reserve(dto.login, identityId, caller);
    try {
      const outcome = await this.holdings.identityCommand(
        {
          type: 'RegisterIdentity',
          identityId,
          login: dto.login,
          firstName: dto.firstName,
          lastName: dto.lastName,
          email: dto.email,
          department: dto.department,
          attributes: dto.attributes,
          now,
          actor: dto.actor,
        },
        metadata,
      );
      return { identityId, created: outcome.events.length > 0 };
    } catch (error) {
      if (!known) await this.logins.release(dto.login, identityId, caller);
      throw error;
    }
  }

  /** `register-identity` for each item of the gateway's bulk call, one result per item (ADR 0045). */
  @MessagePattern(commandSubject('requests', 'register-identity-batch'))
  registerBatch(
    @Payload() dto: RegisterIdentityBatchMessage,
  ): Promise<BatchCommandReply<{ identityId: string; created: boolean }>> {
    return eachItem(commandSubject('requests', 'register-identity-batch'), dto, (command) =>
      this.register(command),
    );
  }

  /** The mover: changes the profile; a new login is reserved first and the old one freed after. */
  @MessagePattern(commandSubject('requests', 'update-identity'))
  async update(@Payload() dto: UpdateIdentityMessage) {
    const caller = callerOf(dto);
    const { now } = caller;
    const current = await this.registeredNow(dto.identityId, 'UpdateIdentity');
    const newLogin =
      dto.login !== undefined &&
      loginStreamName(dto.login) !== loginStreamName(current.login) &&
      current.active;
    if (newLogin) await this.logins.reserve(dto.login!, current.identityId, caller);
    const { identityId, login, firstName, lastName, email, department, attributes } = dto;
    const outcome = await this.holdings.identityCommand(
      {
        type: 'UpdateIdentity',
        identityId,
        login,
        firstName,
        lastName,
        email,
        department,
        attributes,
        now,
        actor: dto.actor,
      },
      caller.metadata,
    );
    if (newLogin) await this.logins.release(current.login, current.identityId, caller);
    return identityView(registered(identityId, outcome.state, 'UpdateIdentity'));
  }

  /** The leaver: its assignments are revoked by the lifecycle reaction; its login is freed. */
  @MessagePattern(commandSubject('requests', 'deactivate-identity'))
  async deactivate(@Payload() dto: DeactivateIdentityMessage) {
    const caller = callerOf(dto);
    const { now } = caller;
    const at = dto.at ? new Date(dto.at) : undefined;
    const outcome = await this.holdings.identityCommand(
      {
        type: 'DeactivateIdentity',
        identityId: dto.identityId,
        comment: dto.comment,
        at,
        now,
        actor: dto.actor,
      },
      caller.metadata,
    );
    const identity = registered(dto.identityId, outcome.state, 'DeactivateIdentity');
    if (!identity.active) await this.logins.release(identity.login, identity.identityId, caller);
    return identityView(identity);
  }

  /** Takes the login back (409 when another active identity holds it meanwhile), then reactivates. */
  @MessagePattern(commandSubject('requests', 'reactivate-identity'))
  async reactivate(@Payload() dto: IdentityStatusMessage) {
    const caller = callerOf(dto);
    const { now } = caller;
    const current = await this.registeredNow(dto.identityId, 'ReactivateIdentity');
    await this.logins.reserve(current.login, current.identityId, caller);
    const outcome = await this.holdings.identityCommand(
      { type: 'ReactivateIdentity', identityId: dto.identityId, comment: dto.comment, now, actor: dto.actor },
      caller.metadata,
    );
    return identityView(registered(dto.identityId, outcome.state, 'ReactivateIdentity'));
  }

  /** The identity as stored now; a command for one that is not registered is refused. */
  private async registeredNow(identityId: string, command: string): Promise<RegisteredIdentity> {
    return registered(identityId, await this.holdings.identity(identityId), command);
  }
}
