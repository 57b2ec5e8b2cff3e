import 'reflect-metadata';
import { startService } from '@prov/platform';
import { AgentModule } from './agent.module';

void startService(AgentModule, 'agent').catch((error) => {
  console.error(JSON.stringify({ level: 'fatal', service: 'agent', msg: 'start failed', error: String(error) }));
  process.exit(1);
});
