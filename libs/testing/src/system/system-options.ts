import type { AgentIdentity, BusKit } from '../bus-credentials';
import type { ApiClient } from './api-client';
import type { ApiRoleName, ApiTokens, ServiceApp, ServiceInstance } from './services';

/** What startSystem (system.ts) takes and what it hands back. */

export interface StartSystemOptions {
  /**
   * Which apps to start (default: all six). The gateway's health check needs the read models,
   * which the projector creates: with the gateway, start the projector too.
   */
  services?: ServiceApp[];
  /** Further agent processes, named agent-2, agent-3, ... (they share the work of `agent`). */
  extraAgents?: number;
  /**
   * Copies per app (default 1): `{ orders: 2 }` starts `orders` and `orders-2`. Every gateway copy
   * listens on a port of its own (`apiUrlOf('gateway-2')`); `apiUrl` is the first one's.
   */
  replicas?: Partial<Record<ServiceApp, number>>;
  /**
   * Run the bus as a three-node JetStream cluster on loopback (the configuration of
   * deploy/nats/cluster/, generated from the same table), with the order streams in three
   * replicas; the services get all three URLs. stopNatsNode()/startNatsNode() act on one node.
   */
  natsCluster?: boolean;
  /** Role model file, absolute or relative to the workspace root (default: the sample). */
  roleModel?: string;
  /** Variables for every service; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  /** Variables for one app (`agent`: every agent) or one instance (`agent-2`), applied after `env`. */
  serviceEnv?: Partial<Record<string, Record<string, string | undefined>>>;
  /** LOG_LEVEL of the services (default PROV_TEST_LOG_LEVEL, else `log`). */
  logLevel?: string;
  /** How long start-up (and start()/restart()) may take; default 60 s. */
  startTimeoutMs?: number;
  /** Build dist/ first (once per Jest run); default true. */
  build?: boolean;
  /** Keep the log directory after stop() (also PROV_TEST_KEEP_LOGS=1). */
  keepLogs?: boolean;
  /**
   * `dedicated`: a PostgreSQL cluster of the system's own (slower to start), which
   * restartPostgres() may stop and start; `shared` (default): databases in the test cluster.
   */
  postgres?: 'shared' | 'dedicated';
  /**
   * Further agent identities on the bus, with credentials but no process (tests use them to
   * act as a compromised agent). The started agents are the identity `agent`, serving every
   * automatic connection of the role model.
   */
  busAgents?: AgentIdentity[];
  /**
   * The gateway's port (default: a free one), for a test that must know the gateway's URL
   * before it starts, e.g. to register its OpenID Connect callback with a provider.
   */
  port?: number;
  /**
   * The engine's database, kept as it is (not created, not dropped): the scale benchmark runs
   * the services on a store it seeded. Default: a fresh database in the test PostgreSQL.
   */
  databaseUrl?: string;
  /**
   * Test only, default none: the public nkey (`U...`) of an observer the bus admits besides its
   * identities. It may subscribe to every subject and send the read-only JetStream API requests
   * that list the streams and read their messages, and publish nothing else. No production
   * configuration has such a user; tests use it as a wiretap.
   */
  busObserverNkey?: string;
}

export interface RunningSystem {
  /** The gateway, `http://127.0.0.1:<port>`; API paths are under `/api`. */
  apiUrl: string;
  natsUrl: string;
  databaseUrl: string;
  hrAppDatabaseUrl: string;
  tokens: ApiTokens;
  /** The bus's identities and their credentials (the services get theirs in their environment). */
  bus: BusKit;
  logDir: string;
  /** A client without a token; `client(role)` one with that role's token. */
  api: ApiClient;
  client(role: ApiRoleName): ApiClient;
  /** Every instance started, in start order (`gateway`, ..., `orders-2`). */
  instances(): ServiceInstance[];
  /** The URL of one gateway copy (`gateway`, `gateway-2`, ...). */
  apiUrlOf(gateway: ServiceInstance): string;
  /** Everything written to the instance's stdout and stderr (all its runs). */
  logs(service: ServiceInstance): string;
  isRunning(service: ServiceInstance): boolean;
  pid(service: ServiceInstance): number | undefined;
  /** Sends the signal to the instance's process group and, unless it is a stop/continue signal, waits until it exited. */
  kill(service: ServiceInstance, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped instance, or a new one (`agent-3`), and waits until it is ready. */
  start(service: ServiceInstance): Promise<void>;
  /** SIGTERM (SIGKILL after 10 s), then start(). */
  restart(service: ServiceInstance): Promise<void>;
  /** Stops every service, NATS, drops both databases, removes the logs; safe to call twice. */
  stop(): Promise<void>;
  /** Stops the system's nats-server, waits, and starts it again on the same port with the same store. */
  restartNats(downMs?: number): Promise<void>;
  /** With `natsCluster`: stops one node (0, 1 or 2) of the cluster; the others keep serving. */
  stopNatsNode(index: number): Promise<void>;
  /** With `natsCluster`: starts a stopped node again, on its ports and its store. */
  startNatsNode(index: number): Promise<void>;
  /** Stops the system's own PostgreSQL (option `postgres: 'dedicated'`), waits, and starts it again. */
  restartPostgres(downMs?: number): Promise<void>;
}
