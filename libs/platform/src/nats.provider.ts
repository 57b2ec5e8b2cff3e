import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';
import { readOrdersStreamSettings, type ServiceEnvironment } from '@prov/config';
import {
  assertNatsServer,
  busConnectOptions,
  ensureOrdersStreams,
  NatsServerRequirementError,
  natsServers,
} from '@prov/messaging';
import type { ServiceBus } from './service-bus';
import { SERVICE_BUS, SERVICE_ENVIRONMENT, SERVICE_NAME } from './tokens';

/**
 * The service's own NATS connection for JetStream (the order work queue). It reconnects for
 * ever; at start it checks the server's version (and JetStream, for the services that use it).
 * `orders`, the only one allowed to, creates the order streams when they are missing, so a
 * fresh NATS needs no manual set-up; the gateway only uses the connection for its health check.
 */
@Injectable()
export class NatsConnectionProvider implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Nats');
  private connection?: Promise<NatsConnection>;

  constructor(
    @Inject(SERVICE_ENVIRONMENT) private readonly environment: ServiceEnvironment,
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(SERVICE_BUS) private readonly bus: ServiceBus,
  ) {}

  /**
   * Connects at start-up, so the streams exist and the server is checked before the first
   * order; a server that lacks what the engine needs stops the service with the reason.
   * Start-up does not wait for NATS itself: the connection keeps trying in the background.
   */
  onApplicationBootstrap(): void {
    this.get().catch((error) => {
      if (error instanceof NatsServerRequirementError) {
        this.logger.fatal({ msg: 'unsuitable NATS server', error: error.message });
        process.exit(1);
      }
      this.logger.error({ msg: 'NATS set-up failed', error: String(error) });
      this.connection = undefined;
    });
  }

  get(): Promise<NatsConnection> {
    this.connection ??= this.open();
    return this.connection;
  }

  private async open(): Promise<NatsConnection> {
    const nc = await connect({
      servers: natsServers(this.environment.natsUrl),
      name: `prov-${this.service}-jetstream`,
      ...busConnectOptions(this.bus.jetstreamCredentials),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      waitOnFirstConnect: true,
      // Each request (a JetStream publish waits for its ack) otherwise builds two errors with
      // stack traces up front, in case it fails: ~2.5 % of the orders service's CPU in the burst
      // (ADR 0052). A failure still says what failed, without the caller's stack.
      noAsyncTraces: true,
    });
    const usesJetStream = this.service !== 'gateway';
    const facts = usesJetStream
      ? await assertNatsServer(nc, { minVersion: '2.9.0', jetstream: true })
      : { version: nc.info?.version };
    if (this.service === 'orders')
      await ensureOrdersStreams(await nc.jetstreamManager(), readOrdersStreamSettings());
    this.logger.log({
      msg: 'connected to NATS with JetStream',
      server: nc.getServer(),
      version: facts.version,
    });
    return nc;
  }

  isConnected(): boolean {
    return this.connection !== undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.connection) return;
    const nc = await this.connection.catch(() => undefined);
    await nc?.drain().catch(() => undefined);
  }
}
