import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { CronExpressionParser } from 'cron-parser';
import { ConfigurationError } from '@prov/config';
import { CompleteJobService, JobAlreadyRunningError } from './complete-job.service';

/** Reads COMPLETE_JOB_SCHEDULE (a five-field cron expression, UTC); undefined when unset. */
export function parseCompleteJobSchedule(value: string | undefined): string | undefined {
  if (!value?.trim()) return undefined;
  try {
    CronExpressionParser.parse(value, { tz: 'UTC' });
    return value.trim();
  } catch (error) {
    throw new ConfigurationError([
      `COMPLETE_JOB_SCHEDULE must be a cron expression like '0 2 * * *' (${(error as Error).message})`,
    ]);
  }
}

/**
 * Starts the complete job on the schedule in COMPLETE_JOB_SCHEDULE. Every replica keeps the
 * schedule; the job's own lock makes sure one run happens per slot (the others get "already
 * running" and let it be).
 */
@Injectable()
export class CompleteJobSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CompleteJobSchedule');
  private readonly expression = parseCompleteJobSchedule(process.env.COMPLETE_JOB_SCHEDULE);
  private timer?: NodeJS.Timeout;

  constructor(private readonly job: CompleteJobService) {}

  onApplicationBootstrap(): void {
    if (!this.expression) return;
    this.logger.log({ msg: 'complete job scheduled', cron: this.expression });
    this.scheduleNext();
  }

  beforeApplicationShutdown(): void {
    clearTimeout(this.timer);
  }

  private scheduleNext(): void {
    const next = CronExpressionParser.parse(this.expression!, { tz: 'UTC' }).next().toDate();
    this.timer = setTimeout(() => void this.fire(), Math.max(0, next.getTime() - Date.now()));
    this.timer.unref();
  }

  private async fire(): Promise<void> {
    try {
      const { jobId } = await this.job.start('schedule', 'schedule');
      this.logger.log({ msg: 'scheduled complete job started', jobId });
    } catch (error) {
      if (!(error instanceof JobAlreadyRunningError)) {
        this.logger.error({ msg: 'scheduled complete job did not start', error: String(error) });
      }
    } finally {
      this.scheduleNext();
    }
  }
}
