import { nkeys } from 'nats';
import {
  generateCommandKeyPair,
  jetstreamIdentity,
  natsServerConfiguration,
  type BusUser,
  type NatsClusterNode,
} from '@prov/messaging';
import { loadRoleModel } from '@prov/role-model';

/** One identity's secrets: its NATS nkey seed(s) and its command signing key. */
export interface BusIdentity {
  identity: string;
  nkeySeed: string;
  nkeyPublic: string;
  /** `orders` only: its JetStream user. */
  jetstream?: { nkeySeed: string; nkeyPublic: string };
  signingKey: string;
  publicSigningKey: string;
  /** Agents only: the connections whose orders it consumes. */
  connections?: string[];
}

/** Everything a bus needs: every identity's secrets, the nats-server configuration, each service's variables. */
export interface BusKit {
  identities: Record<string, BusIdentity>;
  /** The COMMAND_SIGNERS value every service gets. */
  signers: string;
  /** The nats-server configuration (authorization with one nkey user per identity; TLS when given). */
  configuration(
    tls?: { certFile: string; keyFile: string; caFile?: string; verify?: boolean },
    cluster?: NatsClusterNode,
  ): string;
  /** The bus variables of one identity's processes (BUS_IDENTITY, NATS_NKEY_SEED, COMMAND_SIGNING_KEY, ...). */
  env(identity: string): Record<string, string>;
  /** What `npm start` saves (mode 0600): every identity's secrets. */
  toJSON(): { identities: Record<string, BusIdentity> };
}

export interface AgentIdentity {
  identity: string;
  connections: string[];
}

const SERVICES = ['gateway', 'requests', 'review', 'orders', 'projector'] as const;

function nkeyPair(): { nkeySeed: string; nkeyPublic: string } {
  const user = nkeys.createUser();
  return { nkeySeed: new TextDecoder().decode(user.getSeed()), nkeyPublic: user.getPublicKey() };
}

/** The automatic connections of a role model file: what the default agent serves. */
export function automaticConnections(roleModelPath: string): string[] {
  return loadRoleModel(roleModelPath)
    .connections()
    .filter((c) => c.fulfillment === 'automatic')
    .map((c) => c.id);
}

/**
 * Fresh credentials for every service and for `agents` (ADR 0010). Nothing here is kept: the
 * harness and `npm start` write the configuration where only their user can read it.
 */
export function generateBus(agents: AgentIdentity[]): BusKit {
  const identities: Record<string, BusIdentity> = {};
  const add = (identity: string, extra: Partial<BusIdentity> = {}) => {
    const signing = generateCommandKeyPair();
    identities[identity] = {
      identity,
      ...nkeyPair(),
      signingKey: signing.privateKey,
      publicSigningKey: signing.publicKey,
      ...extra,
    };
  };
  for (const service of SERVICES) add(service, service === 'orders' ? { jetstream: nkeyPair() } : {});
  for (const agent of agents) add(agent.identity, { connections: agent.connections });
  return busKit(identities);
}

/** The kit of identities generated earlier (`npm start` keeps them in .run/bus/credentials.json). */
export function busKit(identities: Record<string, BusIdentity>): BusKit {
  const signers = Object.values(identities)
    .map((i) => `${i.identity}:${i.publicSigningKey}`)
    .join(',');
  const users: BusUser[] = Object.values(identities).flatMap((i) => [
    { identity: i.identity, nkey: i.nkeyPublic, ...(i.connections ? { connections: i.connections } : {}) },
    ...(i.jetstream
      ? [{ identity: jetstreamIdentity(i.identity), nkey: i.jetstream.nkeyPublic, jetstream: true }]
      : []),
  ]);
  return {
    identities,
    signers,
    toJSON: () => ({ identities }),
    configuration: (tls, cluster) =>
      natsServerConfiguration({
        users,
        // As long as the tests' own connect timeout: a Jest worker on a loaded CI machine can wait
        // many seconds for CPU between the server's INFO and its CONNECT.
        authTimeoutSeconds: 30,
        ...(tls ? { tls } : {}),
        ...(cluster ? { cluster } : {}),
      }),
    env(identity) {
      const i = identities[identity];
      if (!i) throw new Error(`no bus identity '${identity}' (known: ${Object.keys(identities).join(', ')})`);
      return {
        BUS_IDENTITY: i.identity,
        NATS_NKEY_SEED: i.nkeySeed,
        ...(i.jetstream ? { NATS_JETSTREAM_NKEY_SEED: i.jetstream.nkeySeed } : {}),
        COMMAND_SIGNING_KEY: i.signingKey,
        COMMAND_SIGNERS: signers,
      };
    },
  };
}
