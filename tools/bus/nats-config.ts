/**
 * `npm run bus:config -- [role-model.yaml] [agent=conn1,conn2 ...]`: prints the nats-server
 * configuration of a deployment (ADR 0010) with every public nkey taken from nats-server's
 * environment (`$PROV_NKEY_<IDENTITY>`), so the file holds no key and is the same everywhere.
 * Without agents given, one agent `agent` serves every automatic connection of the role model.
 */
import { jetstreamIdentity, natsServerConfiguration, type BusUser } from '@prov/messaging';
import { automaticConnections } from '@prov/testing';

const SERVICES = ['gateway', 'requests', 'review', 'orders', 'projector'];

function variable(identity: string): string {
  return `$PROV_NKEY_${identity.toUpperCase().replace(/-/g, '_')}`;
}

const [roleModel = 'deploy/role-model/sample.yaml', ...agentArgs] = process.argv.slice(2);
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
process.stdout.write(natsServerConfiguration({ users }));
