import { ConfigurationError } from '../environment';
import { PLATFORM_VARIABLES } from './platform.variables';
import { SERVICE_VARIABLES } from './service.variables';
import { TRACING_VARIABLES } from './tracing.variables';
import { appliesTo, checkValue, type ServiceName, type VariableSpec } from './variable';

/** Every variable the engine reads, in the order of the table in docs/operations.md. */
export const CONFIGURATION_SCHEMA: readonly VariableSpec[] = [
  ...PLATFORM_VARIABLES,
  ...SERVICE_VARIABLES,
  ...TRACING_VARIABLES,
];

const BY_NAME = new Map(CONFIGURATION_SCHEMA.map((spec) => [spec.name, spec]));

export function variableSpec(name: string): VariableSpec {
  const spec = BY_NAME.get(name);
  if (!spec) throw new Error(`${name} is not in the configuration schema (libs/config/src/schema)`);
  return spec;
}

/** The problems of every set variable `service` reads, each naming the variable and the rule. */
export function validateVariables(service: ServiceName | undefined, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  for (const spec of CONFIGURATION_SCHEMA) {
    const raw = env[spec.name];
    if (raw === undefined || raw === '' || !appliesTo(spec, service)) continue;
    const problem = checkValue(spec, raw);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** An integer variable, typed and defaulted by the schema; a wrong value is a problem naming it. */
export function integerVariable(env: NodeJS.ProcessEnv, name: string, problems: string[]): number {
  const spec = variableSpec(name);
  if (spec.type !== 'integer') throw new Error(`${name} is not an integer variable`);
  const raw = env[name];
  const fallback = Number(spec.default);
  if (raw === undefined || raw.trim() === '') return fallback;
  const problem = checkValue(spec, raw);
  if (problem) {
    problems.push(problem);
    return fallback;
  }
  return Number(raw.trim());
}

/** A text variable checked by the schema; undefined when unset or wrong (then a problem names it). */
export function textVariable(env: NodeJS.ProcessEnv, name: string, problems: string[]): string | undefined {
  const spec = variableSpec(name);
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const problem = checkValue(spec, raw);
  if (problem) problems.push(problem);
  return problem ? undefined : raw.trim();
}

/** Throws one ConfigurationError listing every problem. */
export function assertNoProblems(problems: string[]): void {
  if (problems.length) throw new ConfigurationError(problems);
}
