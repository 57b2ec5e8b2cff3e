// An OpenID provider for tests and demonstrations: node-oidc-provider (a certified
// implementation; ESM only, so plain `node` runs this file) with people, passwords and groups
// given by the launcher, one confidential client, and a sign-in page of its own that checks
// passwords (the library's development pages accept any login). Consent is implied: the
// people are the organisation's own and the client is the organisation's console.
//
//   OIDC_TEST_CONFIG='{"clientId":…,"clientSecret":…,"redirectUris":[…],"people":[…]}' \
//     node oidc-provider.mjs --port 4444
import { Buffer } from 'node:buffer';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import process from 'node:process';
import { URLSearchParams } from 'node:url';
import Provider from 'oidc-provider';

const portArg = process.argv.indexOf('--port');
const port = Number(portArg > 0 ? process.argv[portArg + 1] : NaN);
const config = JSON.parse(process.env.OIDC_TEST_CONFIG ?? 'null');
if (!Number.isInteger(port) || !config?.clientId || !Array.isArray(config.people)) {
  process.stderr.write('usage: OIDC_TEST_CONFIG=<json> node oidc-provider.mjs --port <port>\n');
  process.exit(2);
}

const people = new Map(config.people.map((person) => [person.subject, person]));
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.clientId,
      client_secret: config.clientSecret,
      redirect_uris: config.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name'],
    email: ['email'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, subject) {
    const person = people.get(subject);
    if (!person) return undefined;
    return {
      accountId: subject,
      claims: async () => ({
        sub: subject,
        name: person.name,
        given_name: person.name.split(' ')[0],
        family_name: person.name.split(' ').slice(1).join(' '),
        email: person.email,
        groups: person.groups,
      }),
    };
  },
});
provider.on('server_error', (_ctx, error) => process.stderr.write(`server_error: ${error.stack}\n`));

function samePassword(a, b) {
  const left = Buffer.from(String(a));
  const right = Buffer.from(String(b));
  return left.length === right.length && timingSafeEqual(left, right);
}

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(response, uid, error) {
  response.writeHead(error ? 401 : 200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(`<!doctype html><html lang="en"><head><title>Sign in · Test organisation</title></head><body>
<h1>Test organisation</h1>${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></body></html>`);
}

async function body(request) {
  let text = '';
  for await (const chunk of request) text += chunk;
  return new URLSearchParams(text);
}

async function interaction(request, response, uid) {
  const details = await provider.interactionDetails(request, response);
  if (request.method === 'GET') return page(response, uid);
  const form = await body(request);
  const person = people.get(form.get('username') ?? '');
  if (!person || !samePassword(form.get('password') ?? '', person.password)) {
    return page(response, uid, 'Wrong username or password.');
  }
  const grant = new provider.Grant({ accountId: person.subject, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  const grantId = await grant.save();
  await provider.interactionFinished(
    request,
    response,
    { login: { accountId: person.subject }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

const callback = provider.callback();
createServer((request, response) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(request.url ?? '');
  if (!match) return callback(request, response);
  interaction(request, response, match[1]).catch((error) => {
    process.stderr.write(`interaction failed: ${error.stack}\n`);
    if (!response.headersSent) response.writeHead(400, { 'content-type': 'text/plain' });
    response.end(`sign-in failed: ${error.message}`);
  });
}).listen(port, '127.0.0.1');
