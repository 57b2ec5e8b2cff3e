/**
 * Role-model versions, stream `rolemodel-<sha256 of the validated content>`: one stream per
 * distinct content, holding exactly one event. Keyed by the content, so the same file loaded by
 * every service (and again after a restart) is one version, recorded once.
 */
export interface RoleModelDeployed {
  type: 'RoleModelDeployed';
  data: {
    /** sha256 of the validated content: what orders name as their `roleModelVersion`. */
    hash: string;
    /** The short form shown in logs and the console. */
    version: string;
    /** The file as deployed, comments included (a role model holds no secrets, only their variable names). */
    text: string;
    /** The file's name (without its directory). */
    source: string;
    /** Who deployed it (ROLE_MODEL_DEPLOYED_BY); absent when the deployment did not say. */
    deployedBy?: string;
    /** The service that recorded it first. */
    loadedBy: string;
    at: string;
  };
}

export const ROLE_MODEL_CATEGORY = 'rolemodel';

export function roleModelStreamName(hash: string): string {
  return `${ROLE_MODEL_CATEGORY}-${hash}`;
}

/** The version event of a loaded model; pure, so every service builds the same one (apart from who and when). */
export function roleModelDeployed(
  model: { hash: string; version: string; source: string; text: string },
  by: { deployedBy?: string; loadedBy: string; at: Date },
): RoleModelDeployed {
  return {
    type: 'RoleModelDeployed',
    data: {
      hash: model.hash,
      version: model.version,
      text: model.text,
      source: model.source.split('/').pop() ?? model.source,
      ...(by.deployedBy !== undefined ? { deployedBy: by.deployedBy } : {}),
      loadedBy: by.loadedBy,
      at: by.at.toISOString(),
    },
  };
}
