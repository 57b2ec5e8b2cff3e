import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Test, TestingModule } from '@nestjs/testing';
import { connect } from 'nats';
import { Client } from 'pg';
import { readEnvironment } from '@prov/config';
import {
  busConnectOptions,
  CommandClient,
  commandSubject,
  createCommandMicroservice,
  MessagingModule,
} from '@prov/messaging';
import {
  generateBus,
  makeTestCertificates,
  type RunningNatsServer,
  type RunningPostgres,
  startNatsServer,
  startPostgresCluster,
  type TestCertificates,
} from '@prov/testing';
import { serviceBus } from './service-bus';

jest.setTimeout(60_000);

@Controller()
class ApproveController {
  @MessagePattern(commandSubject('review', 'approve'))
  approve(@Payload() body: { actor: string }) {
    return { approvedBy: body.actor };
  }
}

@Module({ controllers: [ApproveController] })
class ApproveModule {}

/** TLS to NATS and to PostgreSQL are settings (docs/security.md): tried against servers with a CA made here. */
describe('TLS to the bus and to PostgreSQL', () => {
  let certs: TestCertificates;
  let nats: RunningNatsServer;
  let configDir: string;
  const bus = generateBus([]);
  const envOf = (identity: string) => ({ ...bus.env(identity), NATS_TLS_CA_FILE: certs.caFile });

  beforeAll(async () => {
    certs = makeTestCertificates();
    configDir = mkdtempSync(join(tmpdir(), 'prov-bus-tls-'));
    const configFile = join(configDir, 'nats-server.conf');
    writeFileSync(configFile, bus.configuration({ certFile: certs.certFile, keyFile: certs.keyFile }), {
      mode: 0o600,
    });
    nats = await startNatsServer({ configFile });
  });

  afterAll(async () => {
    await nats?.stop();
    rmSync(configDir, { recursive: true, force: true });
    rmSync(certs.dir, { recursive: true, force: true });
  });

  it('connects to NATS over TLS when NATS_TLS_CA_FILE names the CA, and not without it', async () => {
    const { credentials } = serviceBus('gateway', envOf('gateway'));
    expect(credentials.tls).toEqual({ caFile: certs.caFile });
    const nc = await connect({ servers: nats.url, reconnect: false, ...busConnectOptions(credentials) });
    expect(nc.info?.tls_required).toBe(true);
    await nc.close();
    const withoutCa = { ...credentials, tls: undefined };
    await expect(
      connect({ servers: nats.url, reconnect: false, timeout: 5000, ...busConnectOptions(withoutCa) }),
    ).rejects.toThrow(/certificate/);
  });

  it('carries a signed command over TLS between services configured from the environment', async () => {
    const review = serviceBus('review', envOf('review'));
    const gateway = serviceBus('gateway', envOf('gateway'));
    let app: INestMicroservice | undefined;
    let caller: TestingModule | undefined;
    try {
      app = await createCommandMicroservice(ApproveModule, {
        natsUrl: nats.url,
        service: 'review',
        credentials: review.credentials,
        verification: { keys: review.keys },
        logger: false,
        shutdownHooks: false,
        gracePeriodMs: 50,
      });
      await app.listen();
      caller = await Test.createTestingModule({
        imports: [
          MessagingModule.forRoot({
            natsUrl: nats.url,
            name: 'gateway',
            credentials: gateway.credentials,
            signing: { keys: gateway.keys },
          }),
        ],
      }).compile();
      await caller.init();
      await expect(caller.get(CommandClient).send('review', 'approve', { actor: 'alice' })).resolves.toEqual({
        approvedBy: 'alice',
      });
    } finally {
      await caller?.close();
      await app?.close();
    }
  });

  describe('PostgreSQL', () => {
    let postgres: RunningPostgres;

    beforeAll(async () => {
      postgres = await startPostgresCluster({ ssl: { certFile: certs.certFile, keyFile: certs.keyFile } });
    });

    afterAll(async () => {
      await postgres?.stop();
    });

    it('verifies the server with the CA named in DATABASE_URL, and refuses another CA', async () => {
      const databaseUrl = `${postgres.url}?sslmode=verify-full&sslrootcert=${certs.caFile}`;
      expect(readEnvironment({ DATABASE_URL: databaseUrl }).databaseUrl).toBe(databaseUrl);
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
        expect(rows).toEqual([{ ssl: true }]);
      } finally {
        await client.end();
      }
      const other = makeTestCertificates();
      try {
        const stranger = new Client({
          connectionString: `${postgres.url}?sslmode=verify-full&sslrootcert=${other.caFile}`,
        });
        await expect(stranger.connect()).rejects.toThrow(/certificate/);
        await stranger.end().catch(() => undefined);
      } finally {
        rmSync(other.dir, { recursive: true, force: true });
      }
    });
  });
});
