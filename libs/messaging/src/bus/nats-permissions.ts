import {
  consumerName,
  ORDERS_DLQ_STREAM,
  ORDERS_STREAM,
  ordersSubject,
  deadLetterSubject,
  commandQueueGroup,
} from '../subjects';
import {
  COMMAND_HANDLERS,
  commandsOf,
  ENGINE_COMMAND_SENDERS,
  type CommandSenders,
  signerKind,
} from '../signing/command-senders';
import { inboxPrefix } from './bus-connection';

/** One NATS user of the bus: a service identity, or the `orders` service's JetStream user. */
export interface BusUser {
  identity: string;
  /** Public nkey (`U...`), or `$VARIABLE` to take it from nats-server's environment. */
  nkey: string;
  /** Agents only: the connections whose orders it may consume. */
  connections?: string[];
  /** The `orders` service's second user, which publishes orders and manages the streams. */
  jetstream?: boolean;
}

export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
}

/** `<identity>-js`: the JetStream user of an identity that publishes orders. */
export function jetstreamIdentity(identity: string): string {
  return `${identity}-js`;
}

/**
 * What one user may publish and subscribe to (ADR 0010, docs/security.md). Least privilege:
 * - commands: a sender publishes only the command subjects its kind may send; a handler
 *   subscribes to its commands only in its own queue group;
 * - replies: everybody subscribes only below its own inbox prefix; a handler publishes replies
 *   only into the inboxes of the identities that may send it commands, never with
 *   `allow_responses` (a requester-chosen reply subject would make it a confused deputy);
 * - orders: only `orders`' JetStream user publishes on `prov.orders.>`; an agent reaches only
 *   its connections' consumers through their JetStream API subjects.
 */
export function natsPermissions(
  user: BusUser,
  users: readonly BusUser[],
  senders: CommandSenders = ENGINE_COMMAND_SENDERS,
): NatsPermissions {
  const ownInbox = `${inboxPrefix(user.identity)}.>`;
  if (user.jetstream) return { publish: ordersJetStreamSubjects(), subscribe: [ownInbox] };
  const kind = signerKind(user.identity);
  const handled = Object.entries(COMMAND_HANDLERS)
    .filter(([, handler]) => handler === kind)
    .map(([token]) => token);
  const callerKinds = new Set(
    Object.entries(senders)
      .filter(([subject]) => handled.includes(subject.split('.')[2]))
      .flatMap(([, kinds]) => kinds),
  );
  const replyInboxes = users
    .filter((other) => !other.jetstream && callerKinds.has(signerKind(other.identity)))
    .map((other) => `${inboxPrefix(other.identity)}.>`);
  const publish = [...commandsOf(senders, kind), ...replyInboxes];
  const subscribe = [ownInbox, ...handled.map((token) => `prov.cmd.${token}.> ${commandQueueGroup(kind)}`)];
  if (kind === 'agent') {
    publish.push('$JS.API.INFO', ...(user.connections ?? []).flatMap(agentJetStreamSubjects));
    // An agent hears the commands about its own connections only (`prov.cmd.agent.<command>.<id>`).
    subscribe.splice(
      1,
      subscribe.length - 1,
      ...(user.connections ?? []).map((id) => `prov.cmd.agent.*.${id} ${commandQueueGroup(kind)}`),
    );
  }
  return { publish: unique(publish), subscribe: unique(subscribe) };
}

/** An agent's rights on one connection's durable consumer, and nothing of any other connection. */
export function agentJetStreamSubjects(connectionId: string): string[] {
  const consumer = consumerName(connectionId);
  return [
    `$JS.API.CONSUMER.INFO.${ORDERS_STREAM}.${consumer}`,
    // The create subject names the filter, and the server refuses a config with another one.
    `$JS.API.CONSUMER.CREATE.${ORDERS_STREAM}.${consumer}.${ordersSubject(connectionId)}`,
    `$JS.API.CONSUMER.MSG.NEXT.${ORDERS_STREAM}.${consumer}`,
    `$JS.ACK.${ORDERS_STREAM}.${consumer}.>`,
    deadLetterSubject(connectionId),
  ];
}

function ordersJetStreamSubjects(): string[] {
  const streams = [ORDERS_STREAM, ORDERS_DLQ_STREAM];
  return [
    'prov.orders.>',
    '$JS.API.INFO',
    ...streams.flatMap((s) => [
      `$JS.API.STREAM.CREATE.${s}`,
      `$JS.API.STREAM.UPDATE.${s}`,
      `$JS.API.STREAM.INFO.${s}`,
    ]),
    // The oldest order still queued for a connection, before sending one again (ADR 0076): the
    // orders it reads are its own, none of the dead letters' reasons.
    `$JS.API.STREAM.MSG.GET.${ORDERS_STREAM}`,
  ];
}

export interface NatsServerConfigurationOptions {
  users: readonly BusUser[];
  /** TLS for clients: the server's certificate and key, and the CA that signed client certificates (mTLS). */
  tls?: { certFile: string; keyFile: string; caFile?: string; verify?: boolean };
  senders?: CommandSenders;
  /** One node of a JetStream cluster (deploy/nats/cluster/): its name, route listener and peers. */
  cluster?: NatsClusterNode;
  /** Seconds a client has from the server's INFO to its signed CONNECT (default `NATS_AUTH_TIMEOUT_SECONDS`). */
  authTimeoutSeconds?: number;
}

/**
 * nats-server's own default is 2 s, and a client that misses it is dropped without a word: the
 * client sees only its connect timeout (`TIMEOUT`), however long that is. A process starved of
 * CPU (a busy node, a service starting beside others, a test on a loaded CI machine) can take
 * longer than 2 s to sign the nonce, so the default here is generous; an unauthenticated
 * connection can hold nothing but its socket meanwhile.
 */
export const NATS_AUTH_TIMEOUT_SECONDS = 10;

export interface NatsClusterNode {
  /** The cluster's name, the same on every node (`prov`). */
  clusterName: string;
  /** This node's unique `server_name` (JetStream places stream replicas by it). */
  serverName: string;
  /** Where this node accepts routes from its peers (`0.0.0.0:6222`). */
  listen: string;
  /** Every node's route URL (`nats-route://nats-a:6222`); a node ignores the route to itself. */
  routes: readonly string[];
}

/**
 * A nats-server 2.9 configuration with one nkey user per identity and its permissions. No
 * `no_auth_user`: a client without credentials is refused. Listen address, JetStream store and
 * monitoring port stay on the command line (or in a file that includes this one).
 */
export function natsServerConfiguration(options: NatsServerConfigurationOptions): string {
  const lines = [
    '# Generated by natsServerConfiguration() (libs/messaging/src/bus/nats-permissions.ts): ADR 0010.',
    'jetstream: {}',
  ];
  const cluster = options.cluster;
  if (cluster) {
    // Routes carry no client credentials: keep the route port on a private network (or add
    // route TLS with verify); clients still authenticate as their nkey user on every node.
    lines.push(
      `server_name: ${JSON.stringify(cluster.serverName)}`,
      'cluster: {',
      `  name: ${JSON.stringify(cluster.clusterName)}`,
      `  listen: ${JSON.stringify(cluster.listen)}`,
      `  routes: ${list([...cluster.routes])}`,
      '}',
    );
  }
  if (options.tls) {
    lines.push(
      'tls: {',
      `  cert_file: ${JSON.stringify(options.tls.certFile)}`,
      `  key_file: ${JSON.stringify(options.tls.keyFile)}`,
    );
    if (options.tls.caFile) lines.push(`  ca_file: ${JSON.stringify(options.tls.caFile)}`);
    if (options.tls.verify) lines.push('  verify: true');
    lines.push('  timeout: 5', '}');
  }
  lines.push(
    'authorization: {',
    `  timeout: ${options.authTimeoutSeconds ?? NATS_AUTH_TIMEOUT_SECONDS}`,
    '  users: [',
  );
  for (const user of options.users) {
    const { publish, subscribe } = natsPermissions(user, options.users, options.senders);
    const nkey = user.nkey.startsWith('$') ? user.nkey : JSON.stringify(user.nkey);
    lines.push(
      `    # ${user.identity}${user.connections ? ` (connections: ${user.connections.join(', ') || 'none'})` : ''}`,
      `    { nkey: ${nkey}, permissions: {`,
      `        publish: { allow: ${list(publish)} }`,
      `        subscribe: { allow: ${list(subscribe)} }`,
      '    } }',
    );
  }
  lines.push('  ]', '}', '');
  return lines.join('\n');
}

function list(subjects: string[]): string {
  return `[${subjects.map((s) => JSON.stringify(s)).join(', ')}]`;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
