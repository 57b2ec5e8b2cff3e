import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { Pool } from 'pg';
import { commandMetadata } from '@prov/command-handling';
import { readLifecycleSettings } from '@prov/config';
import { LIVE_SCHEMA } from '@prov/read-models';
import { DATABASE_POOL, RepeatingTask } from '@prov/platform';
import { EntitlementHoldings } from './entitlement-holdings';
import { LoginReservations } from './login-reservations';

const ACTOR = 'timer';

/**
 * Deactivates identities whose scheduled deactivation (a leaver at a future date) has come. The
 * directory read model finds the candidates; the identity's own stream decides, so a schedule
 * cancelled meanwhile (reactivation) or a candidate seen twice does nothing.
 */
@Injectable()
export class ScheduledDeactivations implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ScheduledDeactivations');
  private readonly task = new RepeatingTask(
    () => this.deactivateDue(),
    readLifecycleSettings().deactivationCheckMs,
    (error) => this.logger.error({ msg: 'scheduled deactivations not checked', error: String(error) }),
  );

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly holdings: EntitlementHoldings,
    private readonly logins: LoginReservations,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  async deactivateDue(now = new Date()): Promise<number> {
    const { rows } = await this.pool
      .query<{ identity_id: string }>(
        `SELECT identity_id FROM ${LIVE_SCHEMA}.identities
          WHERE active AND deactivation_scheduled_at <= $1 ORDER BY deactivation_scheduled_at LIMIT 100`,
        [now],
      )
      .catch((error: { code?: string }) => {
        if (error.code === '42P01') return { rows: [] }; // the projector has not created the read models yet
        throw error;
      });
    let done = 0;
    for (const { identity_id: identityId } of rows) {
      const identity = await this.holdings.identity(identityId);
      const due = identity.exists && identity.active && identity.deactivationScheduledAt;
      if (!due || Date.parse(due) > now.getTime()) continue;
      const metadata = commandMetadata({ actor: ACTOR }, now);
      await this.holdings.identityCommand(
        { type: 'DeactivateIdentity', identityId, now, actor: ACTOR },
        metadata,
      );
      await this.logins.release(identity.login, identityId, { actor: ACTOR, now, metadata });
      this.logger.log({ msg: 'identity deactivated as scheduled', identityId, scheduledFor: due });
      done++;
    }
    return done;
  }
}
