import 'reflect-metadata';
import { createServiceLogger, readEnvironment, readOperationsSettings } from '@prov/config';
import { announceReady, exitAfterGracePeriod, runService, startServiceOps } from '@prov/platform';
import { createGatewayApp } from './gateway-app';

async function bootstrap(): Promise<void> {
  const environment = readEnvironment();
  const logger = createServiceLogger('gateway', environment.logLevel);
  const app = await createGatewayApp(logger);
  app.enableShutdownHooks();
  const { host } = readOperationsSettings();
  await app.listen(environment.port, host);
  await startServiceOps(app, 'gateway', { logger });
  exitAfterGracePeriod('gateway');
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${environment.port}`;
  announceReady('gateway', { url: `${base}/api`, docs: '/api/docs', console: `${base}/` });
}

runService('gateway', bootstrap);
