import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { commandMetadata, deterministicUuid } from '@prov/command-handling';
import { readRoleModelDeployer } from '@prov/config';
import { roleModelDeployed, roleModelStreamName } from '@prov/domain';
import type { EventStore } from '@prov/event-store';
import type { RoleModel } from '@prov/role-model';
import { RoleModelSource } from './role-model.source';
import { EVENT_STORE, SERVICE_NAME } from './tokens';

/**
 * Records every role model this service loads as a version (RoleModelDeployed), at start and on
 * each reload. The event id and the stream derive from the content hash, so five services
 * loading one file, or one service restarting, record one version: later appends are exact
 * retries or find the stream already written, and change nothing.
 */
@Injectable()
export class RoleModelVersions implements OnApplicationBootstrap {
  private readonly logger = new Logger('RoleModelVersions');
  private readonly deployedBy = readRoleModelDeployer();

  constructor(
    private readonly source: RoleModelSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.source.onChange((model) => void this.record(model));
    await this.record(this.source.current());
  }

  /** True when this call wrote the version; false when it was there already (or could not be written now). */
  async record(model: RoleModel): Promise<boolean> {
    if (model.text === undefined) return false;
    const stream = roleModelStreamName(model.hash);
    if (await this.recorded(stream)) return false;
    const now = new Date();
    const event = roleModelDeployed(
      { hash: model.hash, version: model.version, source: model.source, text: model.text },
      { deployedBy: this.deployedBy, loadedBy: this.service, at: now },
    );
    try {
      await this.store.appendToStream(
        stream,
        [
          {
            id: deterministicUuid('role-model-version', model.hash),
            ...event,
            metadata: { ...commandMetadata({ actor: this.deployedBy ?? this.service }, now) },
          },
        ],
        { expectedRevision: 'no_stream' },
      );
      this.logger.log({
        msg: 'role model version recorded',
        version: model.version,
        deployedBy: this.deployedBy,
      });
      return true;
    } catch (error) {
      // Another service recorded it first (a lost race ends in a wrong-expected-version or a duplicate id).
      if (!(await this.recorded(stream))) {
        this.logger.warn({
          msg: 'role model version not recorded; retried at the next load',
          version: model.version,
          error: String((error as Error).message ?? error),
        });
      }
      return false;
    }
  }

  private recorded(stream: string): Promise<boolean> {
    return this.store.readStream(stream, { maxCount: 1 }).then(
      (events) => events.length > 0,
      () => false,
    );
  }
}
