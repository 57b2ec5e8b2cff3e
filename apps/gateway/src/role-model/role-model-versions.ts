import { Inject, Injectable } from '@nestjs/common';
import { ROLE_MODEL_CATEGORY, roleModelStreamName, type RoleModelDeployed } from '@prov/domain';
import { type EventStore, type Position, StreamNotFoundError } from '@prov/event-store';
import { EVENT_STORE, RoleModelSource } from '@prov/platform';
import { parseRoleModel, type RoleModel } from '@prov/role-model';

export type RoleModelVersion = RoleModelDeployed['data'] & { position: string };

/** The recorded role-model versions (RoleModelDeployed events), read from the event store. */
@Injectable()
export class RoleModelVersionReader {
  private readonly parsed = new Map<string, RoleModel>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly source: RoleModelSource,
  ) {}

  /** One page of versions in the order they were first recorded. */
  async page(
    after: string | undefined,
    limit: number,
  ): Promise<{ versions: RoleModelVersion[]; next: string | null; end: boolean }> {
    // Looking at the model in force first picks up a changed file, so it is recorded before it is listed.
    this.source.current();
    const page = await this.store.readAll({
      after: after as Position | undefined,
      maxCount: limit,
      filter: { streamNamePrefixes: [`${ROLE_MODEL_CATEGORY}-`], eventTypes: ['RoleModelDeployed'] },
    });
    return {
      versions: page.events.map((e) => ({
        ...(e.data as RoleModelDeployed['data']),
        position: String(e.position),
      })),
      next: page.lastPosition ? String(page.lastPosition) : (after ?? null),
      end: page.isEnd,
    };
  }

  /** A version by its full hash or by its short form (the first 12 characters). */
  async find(id: string): Promise<RoleModelDeployed['data'] | undefined> {
    if (id.length === 64) return this.byHash(id);
    let after: string | undefined;
    for (;;) {
      const page = await this.page(after, 500);
      const found = page.versions.find((v) => v.hash.startsWith(id));
      if (found || page.end || page.versions.length === 0) return found;
      after = page.next ?? undefined;
    }
  }

  /** The role models of these hashes that were recorded, parsed (cached: a version never changes). */
  async models(hashes: Iterable<string>): Promise<Map<string, RoleModel>> {
    const models = new Map<string, RoleModel>();
    for (const hash of new Set(hashes)) {
      const model = await this.model(hash);
      if (model) models.set(hash, model);
    }
    return models;
  }

  async model(hash: string): Promise<RoleModel | undefined> {
    if (this.parsed.has(hash)) return this.parsed.get(hash);
    const version = await this.byHash(hash);
    if (!version) return undefined;
    const model = parseRoleModel(version.text, version.source);
    this.parsed.set(hash, model);
    return model;
  }

  private async byHash(hash: string): Promise<RoleModelDeployed['data'] | undefined> {
    try {
      const [event] = await this.store.readStream(roleModelStreamName(hash), { maxCount: 1 });
      return event?.data as RoleModelDeployed['data'] | undefined;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw error;
    }
  }
}
