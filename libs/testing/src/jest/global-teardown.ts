import { stopRegisteredServers } from './running-servers';

export default async function globalTeardown(): Promise<void> {
  await stopRegisteredServers();
}
