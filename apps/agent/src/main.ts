import 'reflect-metadata';
import { runService, startService } from '@prov/platform';

runService('agent', async () => {
  const { AgentModule } = await import('./agent.module');
  const { agentSubjects } = await import('./agent-subjects');
  return startService(AgentModule, 'agent', { subjectExpansions: agentSubjects });
});
