import 'reflect-metadata';
import { startService } from '@prov/platform';
import { ProjectorModule } from './projector.module';

void startService(ProjectorModule, 'projector').catch((error) => {
  console.error(JSON.stringify({ level: 'fatal', service: 'projector', msg: 'start failed', error: String(error) }));
  process.exit(1);
});
