import 'reflect-metadata';
import { runService, startService } from '@prov/platform';

runService('agent', async () => {
  const { AgentModule } = await import('./agent.module');
  return startService(AgentModule, 'agent');
});
