import { MissingSecretError } from './errors';
import type { RoleModelConnection } from './types';
import { connectionSecretsEnvironment } from '@prov/config';

/**
 * Secrets of connections (passwords, connection strings, tokens) never live in the role model
 * file, which is versioned and shown to administrators. The file names an environment variable
 * in a setting ending in `Env` (`passwordEnv: APP_DB_PASSWORD`); this is the one place that reads
 * the variable, and its errors name the variable, never a value.
 */

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The value of the secret a connection setting points to. `settingName` may be given with or
 * without the `Env` suffix (`connectionString` or `connectionStringEnv`).
 */
export function resolveConnectionSecret(
  connection: RoleModelConnection,
  settingName: string,
  env: Environment = connectionSecretsEnvironment(),
): string {
  const setting = settingName.endsWith('Env') ? settingName : `${settingName}Env`;
  const envVar = connection.settings[setting];
  if (envVar === undefined || envVar === null) {
    throw new MissingSecretError(
      connection.id,
      setting,
      undefined,
      `connection '${connection.id}' has no setting '${setting}' naming the environment variable that holds the secret`,
    );
  }
  if (typeof envVar !== 'string' || envVar === '') {
    throw new MissingSecretError(
      connection.id,
      setting,
      undefined,
      `connection '${connection.id}': settings.${setting} must be the name of an environment variable`,
    );
  }
  const value = env[envVar];
  if (value === undefined || value === '') throw new MissingSecretError(connection.id, setting, envVar);
  return value;
}
