import { ConfigurationError } from './environment';

/**
 * Who deployed the role model file the services load (ROLE_MODEL_DEPLOYED_BY): a person or the
 * pipeline that rolled it out, recorded on the role-model version. Optional: without it the
 * version says it was first loaded by a service, and nobody is named.
 */
export function readRoleModelDeployer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const text = env.ROLE_MODEL_DEPLOYED_BY;
  if (text === undefined || text.trim() === '') return undefined;
  // eslint-disable-next-line no-control-regex
  if (text.length > 200 || /[\u0000-\u001f\u007f]/.test(text)) {
    throw new ConfigurationError([
      'ROLE_MODEL_DEPLOYED_BY must be at most 200 characters without control characters (who deployed the role model)',
    ]);
  }
  return text.trim();
}
