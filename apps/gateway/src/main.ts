import 'reflect-metadata';
import { createServiceLogger, readEnvironment } from '@prov/config';
import { announceReady, exitAfterGracePeriod, runService } from '@prov/platform';
import { createGatewayApp } from './gateway-app';

async function bootstrap(): Promise<void> {
  const environment = readEnvironment();
  const logger = createServiceLogger('gateway', environment.logLevel);
  const app = await createGatewayApp(logger);
  app.enableShutdownHooks();
  await app.listen(environment.port, '127.0.0.1');
  exitAfterGracePeriod('gateway');
  announceReady('gateway', { url: `http://127.0.0.1:${environment.port}/api`, docs: '/api/docs', console: `http://127.0.0.1:${environment.port}/` });
}

runService('gateway', bootstrap);
