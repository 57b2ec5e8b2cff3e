/**
 * `npm run bus:config -- [--cluster nats-a,nats-b,nats-c --node nats-a] [role-model.yaml] [agent=conn1,conn2 ...]`:
 * prints the nats-server configuration of a deployment (ADR 0010) with every public nkey taken
 * from nats-server's environment (`$PROV_NKEY_<IDENTITY>`), so the file holds no key and is the
 * same everywhere. Without agents given, one agent `agent` serves every automatic connection of
 * the role model. With `--cluster`, the configuration of one node (`--node`) of a JetStream
 * cluster whose nodes reach each other as `<host>:6222` (deploy/nats/cluster/).
 */
import {
  jetstreamIdentity,
  natsServerConfiguration,
  type BusUser,
  type NatsClusterNode,
} from '@prov/messaging';
import { automaticConnections } from '@prov/testing';

const SERVICES = ['gateway', 'requests', 'review', 'orders', 'projector'];
const ROUTE_PORT = 6222;

function variable(identity: string): string {
  return `$PROV_NKEY_${identity.toUpperCase().replace(/-/g, '_')}`;
}

/** Takes `--name value` out of the arguments. */
function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (!value || value.startsWith('--')) throw new Error(`${name} needs a value`);
  args.splice(at, 2);
  return value;
}

function clusterNode(hosts: string | undefined, node: string | undefined): NatsClusterNode | undefined {
  if (!hosts && !node) return undefined;
  const names = (hosts ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  if (names.length < 3 || names.length % 2 === 0)
    throw new Error('--cluster needs an odd number (3 or more) of host names, comma-separated');
  if (!node || !names.includes(node))
    throw new Error(`--node must be one of the --cluster hosts (${names.join(', ')})`);
  return {
    clusterName: 'prov',
    serverName: node,
    listen: `0.0.0.0:${ROUTE_PORT}`,
    routes: names.map((host) => `nats-route://${host}:${ROUTE_PORT}`),
  };
}

const args = process.argv.slice(2);
const cluster = clusterNode(option(args, '--cluster'), option(args, '--node'));
const [roleModel = 'deploy/role-model/sample.yaml', ...agentArgs] = args;
const agents = agentArgs.length
  ? agentArgs.map((arg) => {
      const [identity, connections = ''] = arg.split('=');
      return { identity, connections: connections.split(',').filter(Boolean) };
    })
  : [{ identity: 'agent', connections: automaticConnections(roleModel) }];
const users: BusUser[] = [
  ...SERVICES.map((identity) => ({ identity, nkey: variable(identity) })),
  { identity: jetstreamIdentity('orders'), nkey: variable(jetstreamIdentity('orders')), jetstream: true },
  ...agents.map((agent) => ({
    identity: agent.identity,
    nkey: variable(agent.identity),
    connections: agent.connections,
  })),
];
process.stdout.write(natsServerConfiguration({ users, ...(cluster ? { cluster } : {}) }));
