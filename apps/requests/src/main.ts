import 'reflect-metadata';
import { startService } from '@prov/platform';
import { RequestsModule } from './requests.module';

void startService(RequestsModule, 'requests').catch((error) => {
  console.error(JSON.stringify({ level: 'fatal', service: 'requests', msg: 'start failed', error: String(error) }));
  process.exit(1);
});
