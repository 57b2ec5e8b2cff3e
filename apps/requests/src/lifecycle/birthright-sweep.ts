import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { EventStore, Position } from '@prov/event-store';
import { EVENT_STORE, RepeatingTask, ROLE_MODEL } from '@prov/platform';
import type { RoleModel } from '@prov/role-model';
import { IdentityLifecycleReaction } from './identity-lifecycle.reaction';

/** How often the role model in force is compared with the one the last sweep used. */
const CHECK_EVERY_MS = 2_000;

/**
 * When the role model changes (and once at start, since it may have changed while the service
 * was down) every identity is settled again, so that a new, changed or removed birthright rule
 * grants or removes what it now says.
 */
@Injectable()
export class BirthrightSweep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('BirthrightSweep');
  private sweptVersion?: string;
  private readonly task = new RepeatingTask(
    () => this.sweepIfChanged(),
    CHECK_EVERY_MS,
    (error) => this.logger.error({ msg: 'birthright sweep failed; trying again', error: String(error) }),
  );

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    private readonly lifecycle: IdentityLifecycleReaction,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start({ immediately: true });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  private async sweepIfChanged(): Promise<void> {
    const version = this.roleModel.version;
    if (version === this.sweptVersion) return;
    let settled = 0;
    let after: Position | undefined;
    for (;;) {
      const page = await this.store.readAll({
        after,
        maxCount: 500,
        filter: { streamNamePrefixes: ['identity-'], eventTypes: ['IdentityRegistered'] },
      });
      for (const event of page.events) {
        if (this.task.stopped) return;
        await this.lifecycle.settle((event.data as { identityId: string }).identityId);
        settled++;
      }
      if (page.isEnd || !page.lastPosition) break;
      after = page.lastPosition;
    }
    this.sweptVersion = version;
    this.logger.log({
      msg: 'birthright rules applied to every identity',
      roleModel: version,
      identities: settled,
    });
  }
}
