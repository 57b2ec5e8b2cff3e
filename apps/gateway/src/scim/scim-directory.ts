import { Injectable } from '@nestjs/common';
import { CommandClient, CommandError } from '@prov/messaging';
import { type IdentityRecord, ReadModelQueries } from '@prov/read-models';
import { setTimeout as delay } from 'node:timers/promises';
import {
  identityChanges,
  registration,
  SCIM_DELETED,
  showsSource,
  type SourceIdentity,
} from '../directory/identity-changes';
import { fromCommandError } from './scim-errors.filter';
import { scimError, type ScimUserStore } from './scim-protocol';
import { fromScimUser, ScimInputError, toScimUser, type ScimUser } from './scim-user';

/** How long a write waits for the directory read model to show it (read-your-writes for the client). */
const READ_MODEL_WAIT_MS = 10_000;

const notFound = (id: string) => scimError(404, `Resource ${id} not found`);

/** SCIMMY turns any error that is not its own into a 404: the services' refusals become SCIM errors first. */
async function scimErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    const { status, detail, scimType } = fromCommandError(error);
    throw scimError(status, detail, scimType);
  }
}

/**
 * The identities as SCIM Users: reads from the directory read model, writes through the same
 * commands as the API (register / update / deactivate / reactivate identity), with the SCIM
 * client as the actor. A write answers once the read model shows it, so that the client's next
 * read or filter finds what it wrote.
 */
@Injectable()
export class ScimDirectory {
  constructor(
    private readonly commands: CommandClient,
    private readonly queries: ReadModelQueries,
  ) {}

  /** The identity behind a SCIM User, or undefined (absent, or deleted through SCIM). */
  async record(id: string): Promise<IdentityRecord | undefined> {
    const [record] = await this.queries.identityRecords(id);
    return record && record.attributes[SCIM_DELETED] !== true ? record : undefined;
  }

  async all(): Promise<ScimUser[]> {
    const records = await this.queries.identityRecords();
    return records.filter((r) => r.attributes[SCIM_DELETED] !== true).map((r) => toScimUser(r));
  }

  /** The handlers SCIMMY calls for one request, acting as `actor`. */
  store(actor: string): ScimUserStore {
    return {
      get: async (id) => {
        const record = await this.record(id);
        if (!record) throw notFound(id);
        return toScimUser(record);
      },
      put: (id, user) =>
        scimErrors(async () => {
          const wanted = this.source(user);
          return toScimUser(
            id === undefined ? await this.create(wanted, actor) : await this.replace(id, wanted, actor),
          );
        }),
      remove: (id) => scimErrors(() => this.remove(id, actor)),
    };
  }

  private source(user: Record<string, unknown>): SourceIdentity {
    try {
      return fromScimUser(user);
    } catch (error) {
      if (error instanceof ScimInputError) throw scimError(400, error.message, 'invalidValue');
      throw error;
    }
  }

  private async create(wanted: SourceIdentity, actor: string): Promise<IdentityRecord> {
    const { identityId } = await this.commands.send<{ identityId: string }>('requests', 'register-identity', {
      ...registration(wanted),
      actor,
    });
    if (!wanted.active) await this.commands.send('requests', 'deactivate-identity', { identityId, actor });
    return this.shown(identityId, (r) => showsSource(r, wanted));
  }

  private async replace(id: string, wanted: SourceIdentity, actor: string): Promise<IdentityRecord> {
    const current = await this.record(id);
    if (!current) throw notFound(id);
    const { update, activate } = identityChanges(current, wanted);
    // The profile first: a reactivation then reserves the login the identity has now.
    if (update) await this.commands.send('requests', 'update-identity', { ...update, identityId: id, actor });
    if (activate === false)
      await this.commands.send('requests', 'deactivate-identity', { identityId: id, actor });
    if (activate === true)
      await this.commands.send('requests', 'reactivate-identity', { identityId: id, actor });
    return this.shown(id, (r) => showsSource(r, wanted));
  }

  /** DELETE is the leaver: deactivated (access revoked through orders), kept for the audit, gone from SCIM. */
  private async remove(id: string, actor: string): Promise<void> {
    const current = await this.record(id);
    if (!current) throw notFound(id);
    if (current.active)
      await this.commands.send('requests', 'deactivate-identity', {
        identityId: id,
        actor,
        comment: 'deleted through SCIM',
      });
    await this.commands.send('requests', 'update-identity', {
      identityId: id,
      attributes: { [SCIM_DELETED]: true },
      actor,
    });
    await this.shown(id, (r) => r.attributes[SCIM_DELETED] === true, true);
  }

  /** Bounded polling of the read model until it shows the write (the projector is asynchronous). */
  private async shown(
    id: string,
    done: (record: IdentityRecord) => boolean,
    deleted = false,
  ): Promise<IdentityRecord> {
    const deadline = Date.now() + READ_MODEL_WAIT_MS;
    for (let pause = 5; ; pause = Math.min(pause * 2, 200)) {
      const [record] = await this.queries.identityRecords(id);
      if (record && (done(record) || Date.now() > deadline)) {
        if (!deleted && record.attributes[SCIM_DELETED] === true) throw notFound(id);
        return record;
      }
      if (Date.now() > deadline)
        throw scimError(503, 'the change is stored but not yet readable; read it again shortly');
      await delay(pause);
    }
  }
}
