import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { Pool } from 'pg';
import { commandMetadata } from '@prov/command-handling';
import type { IdentityState } from '@prov/domain';
import { DATABASE_POOL } from '@prov/platform';
import { liveAssignmentsByIdentity } from '@prov/read-models';
import { EntitlementHoldings } from './entitlement-holdings';
import { holdingRepair } from './holding-repair';

const ACTOR = 'requests';
/** PostgreSQL's SQLSTATE for a relation that does not exist. */
const UNDEFINED_TABLE = '42P01';

/**
 * The idempotent start-up backfill of identity holdings (ADR 0012): every live assignment that
 * its identity's holdings do not record (requested before holdings existed) is recorded as held
 * by a request, so that movers modify it and leavers revoke it; one of a deactivated identity is
 * revoked now. Runs in the background at every start; a run after a complete one finds nothing.
 */
@Injectable()
export class HoldingsBackfill implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('HoldingsBackfill');
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly holdings: EntitlementHoldings,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.run().catch((error) => {
      // A fresh database: the projector has not created the read model yet, so nothing predates holdings.
      if ((error as { code?: string }).code === UNDEFINED_TABLE) {
        this.logger.log({ msg: 'no read model yet (a fresh database): no holdings to backfill' });
        return;
      }
      this.logger.error({
        msg: 'holdings backfill failed; it runs again at the next start',
        error: String(error),
      });
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  async run(): Promise<{ held: number; revoked: number; duplicates: number }> {
    const counts = { held: 0, revoked: 0, duplicates: 0 };
    let identity: IdentityState | undefined;
    for await (const assignment of liveAssignmentsByIdentity(this.pool)) {
      if (this.stopped) break;
      if (!identity?.exists || identity.identityId !== assignment.identityId)
        identity = await this.holdings.identity(assignment.identityId);
      const repair = holdingRepair(identity, assignment);
      const now = new Date();
      const metadata = commandMetadata({ actor: ACTOR }, now);
      if (repair.action === 'hold') {
        const outcome = await this.holdings.identityCommand(
          { type: 'HoldEntitlement', ...assignment, holder: 'request', now, actor: ACTOR },
          metadata,
        );
        identity = outcome.state;
        counts.held++;
      } else if (repair.action === 'revoke') {
        const comment = 'identity deactivated';
        await this.holdings.revoke(assignment.assignmentId, {
          byRequest: false,
          comment,
          actor: ACTOR,
          now,
          metadata,
        });
        counts.revoked++;
      } else if (repair.reason === 'duplicate') {
        counts.duplicates++;
        this.logger.warn({
          msg: 'a second live assignment of one entitlement; revoke one of them',
          ...assignment,
        });
      }
    }
    if (counts.held + counts.revoked + counts.duplicates > 0)
      this.logger.log({ msg: 'identity holdings backfilled', ...counts });
    return counts;
  }
}
