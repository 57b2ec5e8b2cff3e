import 'reflect-metadata';
import { runService, startService } from '@prov/platform';

runService('requests', async () => {
  const { RequestsModule } = await import('./requests.module');
  return startService(RequestsModule, 'requests');
});
