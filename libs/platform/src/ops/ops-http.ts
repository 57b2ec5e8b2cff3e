import {
  Controller,
  Get,
  Header,
  Inject,
  Module,
  type DynamicModule,
  type INestApplication,
  type LoggerService,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { metricsRegistry } from './metrics';
import type { Readiness } from './readiness';

const READINESS = Symbol('READINESS');

/** Liveness, readiness and metrics of one service process, on its own HTTP port (HEALTH_PORT). */
@Controller()
class OpsController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS) private readonly readiness: () => Promise<Readiness>,
  ) {}

  /** Alive while the event loop answers: a restart would not help with anything else. */
  @Get('health/live')
  @HealthCheck()
  live() {
    return this.health.check([
      () =>
        this.indicators
          .check('process')
          .up({ pid: process.pid, uptimeSeconds: Math.round(process.uptime()) }),
    ]);
  }

  /** 503 while a dependency does not answer or the service is draining (after SIGTERM). */
  @Get('health/ready')
  @HealthCheck()
  async ready() {
    const readiness = await this.readiness();
    return this.health.check([
      () =>
        readiness.status === 'draining'
          ? this.indicators.check('draining').down('SIGTERM received')
          : this.indicators.check('draining').up(),
      ...Object.entries(readiness.checks).map(([name, result]) => () => {
        const session = this.indicators.check(name);
        return result.status === 'up' ? session.up() : session.down({ message: result.error ?? 'down' });
      }),
      // Reported, not failing: an open breaker is its target's outage, not the agent's.
      ...(readiness.breakers ?? []).map(
        ({ connectionId, ...breaker }) =>
          () =>
            this.indicators.check(`breaker:${connectionId}`).up(breaker),
      ),
    ]);
  }

  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

@Module({})
class OpsHttpModule {
  static forRoot(readiness: () => Promise<Readiness>): DynamicModule {
    return {
      module: OpsHttpModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [OpsController],
      providers: [{ provide: READINESS, useValue: readiness }],
    };
  }
}

export interface OpsListenerOptions {
  host: string;
  port: number;
  readiness: () => Promise<Readiness>;
  logger: LoggerService | false;
}

/** Starts the health and metrics listener; it stays up while the service drains. */
export async function startOpsListener(options: OpsListenerOptions): Promise<INestApplication> {
  const app = await NestFactory.create(OpsHttpModule.forRoot(options.readiness), { logger: options.logger });
  await app.listen(options.port, options.host);
  return app;
}
