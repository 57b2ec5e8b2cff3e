import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Pool } from 'pg';
import { readOperationsSettings } from '@prov/config';
import { CachedProbe, check, type CheckResult, DATABASE_POOL, NatsConnectionProvider } from '@prov/platform';
import { Public } from '../auth/roles.decorator';

/** A peer's readiness: its health listener's `/health/ready` answered 200. */
async function peerReady(url: string): Promise<void> {
  const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) });
  if (response.status !== 200) throw new Error(`readiness ${response.status}`);
}

/**
 * The engine's health as operators and load balancers see it: 200 when NATS, the event store
 * and the read models answer, 503 otherwise, and the readiness of the other services
 * (HEALTH_PEERS). Results are reused for HEALTH_CACHE_MS (1 s), so polling it does not cost a
 * round trip to every dependency per call.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly own: CachedProbe<Record<string, CheckResult>>;
  private readonly peers: CachedProbe<Record<string, CheckResult>>;

  constructor(@Inject(DATABASE_POOL) pool: Pool, nats: NatsConnectionProvider) {
    const settings = readOperationsSettings();
    this.own = new CachedProbe(async () => {
      const [natsCheck, eventStore, readModels] = await Promise.all([
        check(async () => {
          const nc = await nats.get();
          if (nc.isClosed()) throw new Error('connection closed');
          await nc.flush();
        }),
        check(() => pool.query('SELECT 1 FROM es.events LIMIT 1')),
        check(() => pool.query('SELECT 1 FROM rm.checkpoints LIMIT 1')),
      ]);
      return { nats: natsCheck, eventStore, readModels };
    }, settings.healthCacheMs);
    const peers = Object.entries(settings.healthPeers);
    this.peers = new CachedProbe(
      async () =>
        Object.fromEntries(
          await Promise.all(
            peers.map(async ([name, url]) => [name, await check(() => peerReady(url), 2500)] as const),
          ),
        ),
      settings.healthCacheMs,
    );
  }

  @Get()
  @Public()
  async health(@Res({ passthrough: true }) res: Response) {
    const [checks, services] = await Promise.all([this.own.get(), this.peers.get()]);
    const up = Object.values(checks).every((check) => check.status === 'up');
    res.status(up ? 200 : 503);
    return { status: up ? 'ok' : 'degraded', checks, services };
  }
}
