import { removeBuildMarkers } from '../system/build';
import { stopRegisteredServers } from './running-servers';

export default async function globalTeardown(): Promise<void> {
  await stopRegisteredServers();
  if (process.env.PROV_TEST_RUN_ID) removeBuildMarkers(process.env.PROV_TEST_RUN_ID);
}
