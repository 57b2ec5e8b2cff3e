import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { Cron } from 'croner';
import type { TimerSettings } from '@prov/config';
import { CompleteJobService, JobAlreadyRunningError } from './complete-job.service';
import { TIMER_SETTINGS } from './timers/timer-settings';

/**
 * Starts the complete job on the schedule in COMPLETE_JOB_SCHEDULE (validated in libs/config).
 * croner keeps the schedule: it wakes at most every 30 s, so a monthly expression neither
 * overflows a timer nor fires early, and it runs once per due time. Every replica keeps the
 * schedule; the job's own lock makes sure one run happens per due time (the others get
 * "already running" and let it be).
 */
@Injectable()
export class CompleteJobSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CompleteJobSchedule');
  private cron?: Cron;

  constructor(
    private readonly job: CompleteJobService,
    @Inject(TIMER_SETTINGS) private readonly settings: TimerSettings,
  ) {}

  onApplicationBootstrap(): void {
    const expression = this.settings.completeJobSchedule;
    if (!expression) return;
    this.cron = new Cron(expression, { timezone: 'UTC', unref: true, protect: true }, () => this.fire());
    this.logger.log({
      msg: 'complete job scheduled',
      cron: expression,
      nextRun: this.cron.nextRun()?.toISOString() ?? null,
    });
  }

  beforeApplicationShutdown(): void {
    this.cron?.stop();
  }

  private async fire(): Promise<void> {
    try {
      const { jobId } = await this.job.start('schedule', 'schedule');
      this.logger.log({
        msg: 'scheduled complete job started',
        jobId,
        nextRun: this.cron?.nextRun()?.toISOString(),
      });
    } catch (error) {
      if (!(error instanceof JobAlreadyRunningError)) {
        this.logger.error({ msg: 'scheduled complete job did not start', error: String(error) });
      }
    }
  }
}
