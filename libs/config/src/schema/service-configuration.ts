import { ConfigModule } from '@nestjs/config';
import type { DynamicModule } from '@nestjs/common';
import { readApiTokens } from '../api-tokens';
import { readAgentStreamWaitMs } from '../bus';
import { ConfigurationError, readEnvironment, type ServiceEnvironment } from '../environment';
import { type HardeningSettings, readHardeningSettings } from '../hardening';
import { readLifecycleSettings } from '../lifecycle';
import {
  type AgentSettings,
  type OperationsSettings,
  readAgentSettings,
  readOperationsSettings,
} from '../operations';
import { readPasswordDelivery } from '../password-delivery';
import { readPeopleSettings } from '../people';
import { readReadBackSettings } from '../read-back';
import { readTimerSettings } from '../timers';
import { readTracingSettings } from '../tracing';
import { validateVariables } from './schema';
import { SERVICE_NAMES, type ServiceName } from './variable';

/** The typed configuration every service gets through @nestjs/config's ConfigService. */
export interface ServiceConfiguration {
  service: ServiceName;
  environment: ServiceEnvironment;
  hardening: HardeningSettings;
  operations: OperationsSettings;
  agent?: AgentSettings;
}

/** Each service's own readers (their semantic rules: combinations, files, cron expressions). */
const SERVICE_READERS: Partial<Record<ServiceName, Array<(env: NodeJS.ProcessEnv) => unknown>>> = {
  gateway: [readApiTokens, readPeopleSettings],
  orders: [readTimerSettings],
  requests: [readLifecycleSettings],
  agent: [readAgentSettings, readReadBackSettings, readPasswordDelivery, readAgentStreamWaitMs],
};

/**
 * Reads and validates the whole configuration of `service` at once: the schema's type rules for
 * every variable it reads, then the readers' own rules. All problems are reported together.
 */
export function readServiceConfiguration(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
): ServiceConfiguration {
  if (!(SERVICE_NAMES as readonly string[]).includes(service))
    throw new Error(`unknown service '${service}'`);
  const name = service as ServiceName;
  const problems = validateVariables(name, env);
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      // The schema's type rule already named a variable: its reader's own wording would repeat it.
      const named = new Set(problems.map((problem) => problem.split(' ')[0]));
      for (const problem of error.problems) if (!named.has(problem.split(' ')[0])) problems.push(problem);
      return undefined;
    }
  };
  const environment = attempt(() => readEnvironment(env));
  const hardening = attempt(() => readHardeningSettings(env));
  const operations = attempt(() => readOperationsSettings(env));
  attempt(() => readTracingSettings(name, env));
  const agent = name === 'agent' ? attempt(() => readAgentSettings(env)) : undefined;
  for (const read of SERVICE_READERS[name] ?? []) attempt(() => read(env));
  if (problems.length) throw new ConfigurationError(problems);
  return {
    service: name,
    environment: environment!,
    hardening: hardening!,
    operations: operations!,
    ...(agent ? { agent } : {}),
  };
}

/**
 * @nestjs/config for one service: the process environment (no .env file: deployments set
 * variables), validated by the schema while the module is defined, so a wrong value stops the
 * start before any provider is built; `ConfigService.get('ops')` gives the typed configuration.
 */
export function serviceConfigModule(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DynamicModule> {
  const configuration = readServiceConfiguration(service, env);
  return ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    ignoreEnvVars: true,
    load: [() => ({ ops: configuration })],
  });
}
