import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Pool } from 'pg';
import { DATABASE_POOL, NatsConnectionProvider } from '@prov/platform';
import { Public } from '../auth/roles.decorator';
import { CachedProbe } from './cached-probe';

type Check = { status: 'up' | 'down'; error?: string };

async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long one round of checks answers every caller. */
const HEALTH_CACHE_MS = 1000;

/**
 * Liveness and readiness: 200 when NATS, the event store and the read models answer, 503 otherwise.
 * The checks run at most once per second, whoever asks (the answer may be up to 1 s old).
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly checks = new CachedProbe(() => this.runChecks(), HEALTH_CACHE_MS);

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly nats: NatsConnectionProvider,
  ) {}

  @Get()
  @Public()
  async health(@Res({ passthrough: true }) res: Response) {
    const checks = await this.checks.get();
    const up = Object.values(checks).every((check) => check.status === 'up');
    res.status(up ? 200 : 503);
    return { status: up ? 'ok' : 'degraded', checks };
  }

  private async runChecks(): Promise<Record<'nats' | 'eventStore' | 'readModels', Check>> {
    const [nats, eventStore, readModels] = await Promise.all([
      this.check(async () => {
        const nc = await within(this.nats.get(), 2000);
        if (nc.isClosed()) throw new Error('connection closed');
        await within(nc.flush(), 2000);
      }),
      this.check(() => within(this.pool.query('SELECT 1 FROM es.events LIMIT 1'), 2000)),
      this.check(() => within(this.pool.query('SELECT 1 FROM rm.checkpoints LIMIT 1'), 2000)),
    ]);
    return { nats, eventStore, readModels };
  }

  private async check(probe: () => Promise<unknown>): Promise<Check> {
    try {
      await probe();
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', error: (error as Error).message };
    }
  }
}
