import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { formatApiTokenEntries, parseApiTokens } from '@prov/config';
import { API_ROLE_NAMES, ApiClient, ApiRoleName, describeValue, generateApiTokens } from '@prov/testing';

/** People to try the engine with; fixed ids, so loading them again on the next start changes nothing. */
export const SAMPLE_IDENTITIES = [
  {
    id: 'alice.martin',
    login: 'alice.martin',
    firstName: 'Alice',
    lastName: 'Martin',
    email: 'alice.martin@example.com',
    department: 'Finance',
  },
  {
    id: 'bob.nguyen',
    login: 'bob.nguyen',
    firstName: 'Bob',
    lastName: 'Nguyen',
    email: 'bob.nguyen@example.com',
    department: 'IT',
  },
  {
    id: 'chloe.dubois',
    login: 'chloe.dubois',
    firstName: 'Chloé',
    lastName: 'Dubois',
    email: 'chloe.dubois@example.com',
    department: 'Human Resources',
  },
  {
    id: 'david.okafor',
    login: 'david.okafor',
    firstName: 'David',
    lastName: 'Okafor',
    email: 'david.okafor@example.com',
    department: 'Sales',
  },
  {
    id: 'emma.schmidt',
    login: 'emma.schmidt',
    firstName: 'Emma',
    lastName: 'Schmidt',
    email: 'emma.schmidt@example.com',
    department: 'IT',
  },
] as const;

export interface ApiTokenChoice {
  /** `API_TOKENS` for the gateway. */
  value: string;
  /** A token that may act as each role (an admin token stands in for a missing role). */
  byRole: Partial<Record<ApiRoleName, string>>;
  /** Whether they were made up here (then they are printed). */
  demo: boolean;
}

/**
 * API_TOKENS when set (validated the way the gateway does; it holds hashes, so no token is known
 * here and none is printed); otherwise demo tokens, kept in .run/ so that curl commands copied
 * from a previous start keep working. The gateway only ever sees their hashes.
 */
export function chooseApiTokens(env: NodeJS.ProcessEnv, demoTokensFile: string): ApiTokenChoice {
  if (env.API_TOKENS) {
    parseApiTokens(env.API_TOKENS);
    return { value: env.API_TOKENS, byRole: {}, demo: false };
  }
  let tokens = existsSync(demoTokensFile)
    ? (JSON.parse(readFileSync(demoTokensFile, 'utf8')) as Record<string, string>)
    : {};
  if (!API_ROLE_NAMES.every((role) => typeof tokens[role] === 'string' && tokens[role].length >= 8)) {
    tokens = generateApiTokens('demo');
    writeFileSync(demoTokensFile, JSON.stringify(tokens, null, 2), { mode: 0o600 });
  }
  const value = formatApiTokenEntries(
    API_ROLE_NAMES.map((role) => ({ name: `demo-${role}`, role, token: tokens[role]! })),
  );
  parseApiTokens(value); // a hand-edited file fails here, not in the gateway
  return { value, byRole: tokens, demo: true };
}

/**
 * Registers the sample identities through the API. 201 (new) and 200 (already there) are both
 * fine; other answers are reported, not fatal: the engine runs without sample data too. Server
 * errors are retried for a while, since the gateway may answer before every command service
 * is subscribed.
 */
export async function loadSampleIdentities(api: ApiClient, say: (line: string) => void): Promise<void> {
  let created = 0;
  let existing = 0;
  for (const identity of SAMPLE_IDENTITIES) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await api
        .post('/api/identities', { body: identity })
        .catch((error: Error) => ({ status: 0, body: error.message }));
      if (response.status >= 200 && response.status < 300) {
        if (response.status === 201) created++;
        else existing++;
        break;
      }
      if ((response.status === 0 || response.status >= 500) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      say(
        `could not register the sample identity ${identity.id}: ${response.status} ${describeValue(response.body, 300)}`,
      );
      break;
    }
  }
  say(
    `sample identities: ${created} registered, ${existing} already there (${SAMPLE_IDENTITIES.map((i) => i.id).join(', ')})`,
  );
}

export interface Summary {
  apiUrl: string;
  nats: string;
  database: string;
  hrAppDatabase: string;
  logDir: string;
  tokens: ApiTokenChoice;
  demoTokensFile: string;
}

/** What `npm start` prints once everything answers: where things are and what to try. */
export function summaryText(s: Summary): string {
  const api = s.apiUrl.replace(/\/+$/, '');
  const token = (role: ApiRoleName) => s.tokens.byRole[role] ?? `<${role} token>`;
  const lines = [
    '',
    'The provisioning engine is running.',
    `  console      ${api}/  (sign in with a token below)`,
    `  API          ${api}/api`,
    `  API docs     ${api}/api/docs`,
    `  health       ${api}/api/health`,
    `  NATS         ${s.nats}`,
    `  PostgreSQL   ${s.database}`,
    `  HR app DB    ${s.hrAppDatabase}`,
    `  logs         ${s.logDir}/<service>.log (and prefixed above)`,
    '',
  ];
  if (s.tokens.demo) {
    lines.push(
      `API tokens (demo, kept in ${s.demoTokensFile}; set API_TOKENS=name:role:sha256,... to use your own):`,
    );
    for (const role of API_ROLE_NAMES) lines.push(`  ${role.padEnd(10)} ${token(role)}`);
  } else lines.push('API tokens: those whose hashes API_TOKENS holds.');
  lines.push(
    '',
    'Try:',
    '  # request the entitlement hr_app_reader for alice.martin (answers 202 {"assignmentId": ...})',
    `  curl -s -X POST ${api}/api/assignments \\`,
    `    -H 'Authorization: Bearer ${token('requester')}' -H 'Content-Type: application/json' \\`,
    `    -d '{"identityId":"alice.martin","entitlementId":"hr_app_reader"}'`,
    "  # follow it: GET /api/assignments/<assignmentId>, or all of alice.martin's permissions",
    `  curl -s ${api}/api/identities/alice.martin/permissions -H 'Authorization: Bearer ${token('requester')}'`,
    '  # the review queue (hr_app_admin needs a provisioning review; hr_app_broken shows state 7 Error)',
    `  curl -s ${api}/api/review/orders -H 'Authorization: Bearer ${token('reviewer')}'`,
    '  # why alice.martin has what she has, as an auditor (reads everything, changes nothing)',
    `  curl -s ${api}/api/identities/alice.martin/permissions -H 'Authorization: Bearer ${token('auditor')}'`,
    '',
    'Ctrl-C stops everything started here.',
    '',
  );
  return lines.join('\n');
}
