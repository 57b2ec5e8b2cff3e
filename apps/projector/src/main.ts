import 'reflect-metadata';
import { runService, startService } from '@prov/platform';

runService('projector', async () => {
  const { ProjectorModule } = await import('./projector.module');
  return startService(ProjectorModule, 'projector');
});
