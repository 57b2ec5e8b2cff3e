import { Inject, Injectable, Logger } from '@nestjs/common';
import { Pool } from 'pg';
import type { TimerSettings } from '@prov/config';
import { type EventStore, keepsHashChain } from '@prov/event-store';
import {
  chainEventsChecked,
  chainIntact,
  chainLastVerification,
  DATABASE_POOL,
  EVENT_STORE,
} from '@prov/platform';
import { ReadModelQueries } from '@prov/read-models';
import { chainCheckDue, chainCheckResult, lastChainCheck } from './chain-check.decision';
import { TIMER_SETTINGS } from './timers/timer-settings';

/** Recent job runs looked at for the last check; older ones only make the check due again. */
const JOBS_LOOKED_AT = 50;

/**
 * The hash-chain verification of the complete job's verify task (ADR 0026): every stream, page by
 * page (the store keeps one page in memory), at most once per COMPLETE_JOB_CHAIN_CHECK_EVERY.
 * The outcome goes to the task's counts and errors (the jobs API), three gauges and a log line
 * naming the first event that does not match.
 */
@Injectable()
export class ChainCheck {
  private readonly logger = new Logger('ChainCheck');
  private readonly queries: ReadModelQueries;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE_POOL) pool: Pool,
    @Inject(TIMER_SETTINGS) private readonly settings: TimerSettings,
  ) {
    this.queries = new ReadModelQueries(pool);
  }

  async run(jobId: string, now = new Date()): Promise<{ counts: Record<string, number>; errors: string[] }> {
    if (!keepsHashChain(this.store)) return { counts: {}, errors: ['the event store keeps no hash chain'] };
    const last = lastChainCheck(await this.queries.jobs(JOBS_LOOKED_AT));
    if (!chainCheckDue(last, now, this.settings.chainCheckEveryMs)) {
      return { counts: { chainCheckSkipped: 1 }, errors: [] };
    }
    const result = await this.store.verifyChain();
    chainIntact.set(result.ok ? 1 : 0);
    chainEventsChecked.set(result.eventsChecked);
    chainLastVerification.set(Date.now() / 1000);
    const outcome = chainCheckResult(result);
    if (result.firstBreak) {
      this.logger.error({
        msg: 'hash chain broken',
        jobId,
        streamName: result.firstBreak.streamName,
        revision: Number(result.firstBreak.revision),
        eventId: result.firstBreak.eventId,
      });
    } else {
      this.logger.log({
        msg: 'hash chains verified',
        jobId,
        streams: result.streamsChecked,
        events: result.eventsChecked,
      });
    }
    return outcome;
  }
}
