import type { INestMicroservice } from '@nestjs/common';
import { connectionCommandPattern, connectionCommandSubject } from '@prov/messaging';
import { ConnectorPool } from './connector-pool';

const CONNECTION_COMMANDS = ['synchronize', 'test-connection', 'connection-state'];

/**
 * The subjects this agent answers: each connection command only for the connections it serves,
 * so a synchronization reaches an agent of that connection and never one that would refuse it.
 * Agents of one connection share the queue group: one of them answers.
 */
export function agentSubjects(app: INestMicroservice): Record<string, string[]> {
  const connections = app.get(ConnectorPool).connections.map((c) => c.id);
  return Object.fromEntries(
    CONNECTION_COMMANDS.map((command) => [
      connectionCommandPattern('agent', command),
      connections.map((id) => connectionCommandSubject('agent', command, id)),
    ]),
  );
}
