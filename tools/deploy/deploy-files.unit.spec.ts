import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import {
  appliesTo,
  CONFIGURATION_SCHEMA,
  SERVICE_NAMES,
  type ServiceName,
  validateVariables,
} from '@prov/config';
import { SERVICE_HEAP_FLAGS } from '@prov/testing';

const DEPLOY = join(__dirname, '..', '..', 'deploy');
/** How every service runs: with the heap limits npm start and the test harness give it (ADR 0063). */
const command = (service: string) => [
  'node',
  ...SERVICE_HEAP_FLAGS,
  '-r',
  'tools/runtime/register-paths.js',
  `dist/apps/${service}/src/main.js`,
];
const SPECS = new Map(CONFIGURATION_SCHEMA.map((spec) => [spec.name, spec]));
/** What each service cannot start without (besides defaults). */
const REQUIRED = [
  'NATS_URL',
  'DATABASE_URL',
  'NATS_NKEY_SEED',
  'COMMAND_SIGNING_KEY',
  'COMMAND_SIGNERS',
  'HEALTH_PORT',
];

/** Variables a service is given that the schema does not know, or that this service does not read. */
function unknownFor(service: ServiceName, names: Iterable<string>): string[] {
  return [...names]
    .filter((name) => !SPECS.has(name) || !appliesTo(SPECS.get(name)!, service))
    .map((name) => `${service}: ${name}`);
}

type K8s = {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, checked field by field below
  spec?: any;
};

describe('deploy/kubernetes', () => {
  const documents: K8s[] = readdirSync(join(DEPLOY, 'kubernetes'))
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(DEPLOY, 'kubernetes', file), 'utf8')).map(
        (doc) => doc.toJS() as K8s,
      ),
    );
  const byKind = (kind: string) =>
    new Map(documents.filter((d) => d.kind === kind).map((d) => [d.metadata.name, d]));
  const configMaps = byKind('ConfigMap');
  const secrets = byKind('Secret');
  const deployments = byKind('Deployment');

  it.each(SERVICE_NAMES)(
    '%s: two replicas, probes on the health port, resources, and only variables the schema knows',
    (service) => {
      const deployment = deployments.get(service);
      expect(deployment?.spec.replicas).toBeGreaterThanOrEqual(2);
      const [container] = deployment!.spec.template.spec.containers;
      expect(container.command).toEqual(command(service));
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'health' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'health' });
      expect(container.resources.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });

      const env: Record<string, string> = {};
      const secretNames = new Set<string>();
      for (const source of container.envFrom) {
        if (source.configMapRef)
          Object.assign(
            env,
            configMaps.get(source.configMapRef.name)?.data ??
              fail(`no ConfigMap ${source.configMapRef.name}`),
          );
        if (source.secretRef) {
          const secret = secrets.get(source.secretRef.name) ?? fail(`no Secret ${source.secretRef.name}`);
          for (const name of Object.keys(secret.stringData ?? {})) secretNames.add(name);
        }
      }
      for (const item of container.env ?? []) env[item.name] = item.value;
      expect(unknownFor(service, [...Object.keys(env), ...secretNames])).toEqual([]);
      // The plain values are real settings: the schema must accept them (secrets are placeholders).
      expect(validateVariables(service, env)).toEqual([]);
      const given = new Set([...Object.keys(env), ...secretNames]);
      expect(REQUIRED.filter((name) => !given.has(name))).toEqual([]);
      if (service === 'orders') expect(given).toContain('NATS_JETSTREAM_NKEY_SEED');
      const port = container.ports.find((p: { name: string }) => p.name === 'health');
      expect(String(port.containerPort)).toBe(env.HEALTH_PORT);
      expect(deployment!.spec.template.metadata.annotations['prometheus.io/port']).toBe(env.HEALTH_PORT);
    },
  );
});

describe('deploy/Dockerfile', () => {
  it("runs a service with the services' heap limits", () => {
    const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? fail('no CMD in deploy/Dockerfile');
    expect(JSON.parse(cmd)).toEqual(command('gateway'));
  });
});

describe('deploy/compose', () => {
  const compose = parse(readFileSync(join(DEPLOY, 'compose', 'compose.yaml'), 'utf8'), { merge: true }) as {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, checked field by field below
    services: Record<string, any>;
  };

  it.each(SERVICE_NAMES)(
    '%s: two replicas, a readiness health check, and only variables the schema knows',
    (service) => {
      const definition = compose.services[service];
      expect(definition.deploy.replicas).toBe(2);
      expect(definition.healthcheck.test.join(' ')).toContain(
        `http://127.0.0.1:${definition.environment.HEALTH_PORT}/health/ready`,
      );
      expect(definition.command).toEqual(command(service));
      expect(unknownFor(service, Object.keys(definition.environment))).toEqual([]);
      expect(validateVariables(service, definition.environment)).toEqual([]);
      for (const server of definition.environment.NATS_URL.split(','))
        expect(compose.services[new URL(server).hostname]).toBeDefined();
    },
  );

  it('runs a three-node NATS cluster, PostgreSQL and Prometheus scraping every service', () => {
    const nodes = ['nats-1', 'nats-2', 'nats-3'].map((name) => compose.services[name].command.join(' '));
    for (const command of nodes)
      expect(command).toMatch(/--cluster_name prov .*--routes nats:\/\/nats-\d:6222,nats:\/\/nats-\d:6222/);
    expect(compose.services.postgres.image).toMatch(/^postgres:/);
    const prometheus = parse(readFileSync(join(DEPLOY, 'prometheus', 'prometheus.yml'), 'utf8'));
    const [discovery] = prometheus.scrape_configs[0].dns_sd_configs;
    expect([...discovery.names].sort()).toEqual([...SERVICE_NAMES].sort());
    expect(String(discovery.port)).toBe(compose.services.gateway.environment.HEALTH_PORT);
  });
});

function fail(message: string): never {
  throw new Error(message);
}
