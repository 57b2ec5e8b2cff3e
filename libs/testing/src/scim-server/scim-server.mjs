// A SCIM 2.0 service provider for tests: SCIMMY (+ its Express routers) speaks the protocol
// (schemas, PATCH, filters, paging, errors); this file is only the store behind it, plus what
// SCIMMY leaves to the implementer: userName uniqueness, referential integrity of group members,
// meta timestamps and the read-only User.groups. Plain `node` runs it (scimmy is ESM only).
//
//   SCIM_TOKEN=secret node scim-server.mjs --port 18080
//
// SCIM endpoints live under /scim/v2 and need `Authorization: Bearer <SCIM_TOKEN>`. So that tests
// can provoke failures a real target shows, /_admin (same token) has:
//   POST /_admin/fail  {"count": 2, "status": 503}  the next 2 SCIM requests answer 503
//   POST /_admin/delay {"count": 1, "ms": 3000}     the next SCIM request waits 3 s first
//   POST /_admin/stale {"count": 1}                 the next list/search GET finds nothing, as a
//                                                   search index lagging behind writes does
import { Buffer } from 'node:buffer';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

const portArg = process.argv.indexOf('--port');
const port = Number(portArg > 0 ? process.argv[portArg + 1] : process.env.SCIM_PORT);
// The token comes by environment rather than argv: argv is visible to every user in `ps`.
const token = process.env.SCIM_TOKEN ?? '';
if (!Number.isInteger(port) || port < 1 || token === '') {
  process.stderr.write('usage: SCIM_TOKEN=<token> node scim-server.mjs --port <port>\n');
  process.exit(2);
}

const { Error: SCIMError } = SCIMMY.Types;
const users = new Map(); // id -> stored user (plain JSON, without schemas/meta/groups)
const groups = new Map(); // id -> stored group
const meta = new Map(); // id -> { created, lastModified }

/** SCIMMY hands ingress a schema instance; the store keeps plain data and its own shadow attributes. */
function plain(instance) {
  const data = JSON.parse(JSON.stringify(instance));
  delete data.schemas;
  delete data.meta;
  delete data.id;
  delete data.groups; // read-only in RFC 7643 §4.1.2: the server derives it from Group.members
  return data;
}

function touch(id) {
  const now = new Date();
  meta.set(id, { created: meta.get(id)?.created ?? now, lastModified: now });
}

function sameText(a, b) {
  // userName is caseExact=false (RFC 7643 §4.1.1), so uniqueness ignores case.
  return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
}

function userOut(id) {
  const user = users.get(id);
  const memberOf = [...groups.entries()].filter(([, g]) => (g.members ?? []).some((m) => m.value === id));
  return {
    ...user,
    id,
    meta: meta.get(id),
    groups: memberOf.map(([gid, g]) => ({ value: gid, display: g.displayName, type: 'direct' })),
  };
}

function groupOut(id) {
  const group = groups.get(id);
  // `display` follows the member's current name instead of whatever the client sent.
  const members = (group.members ?? []).map((m) => ({
    ...m,
    display:
      users.get(m.value)?.displayName ?? users.get(m.value)?.userName ?? groups.get(m.value)?.displayName,
  }));
  return { ...group, members, id, meta: meta.get(id) };
}

/** Egress for a store: one resource by id (404 when absent) or the filtered collection; SCIMMY pages it. */
function egress(store, out) {
  return (resource) => {
    if (resource.id) {
      if (!store.has(resource.id)) throw new SCIMError(404, null, `Resource ${resource.id} not found`);
      return out(resource.id);
    }
    const all = [...store.keys()].map(out);
    return resource.filter ? resource.filter.match(all) : all;
  };
}

function checkExists(store, id) {
  if (id !== undefined && !store.has(id)) throw new SCIMError(404, null, `Resource ${id} not found`);
}

SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false))
  .ingress((resource, instance) => {
    checkExists(users, resource.id);
    const data = plain(instance);
    for (const [id, other] of users) {
      if (id !== resource.id && sameText(other.userName, data.userName)) {
        throw new SCIMError(409, 'uniqueness', `userName "${data.userName}" is already in use`);
      }
    }
    const id = resource.id ?? randomUUID();
    users.set(id, data);
    touch(id);
    return userOut(id);
  })
  .egress(egress(users, userOut))
  .degress((resource) => {
    checkExists(users, resource.id);
    users.delete(resource.id);
    meta.delete(resource.id);
    // Referential integrity: a deleted user leaves every group it was a member of.
    for (const [gid, group] of groups) {
      const members = (group.members ?? []).filter((m) => m.value !== resource.id);
      if (members.length !== (group.members ?? []).length) {
        groups.set(gid, { ...group, members });
        touch(gid);
      }
    }
  });

SCIMMY.Resources.declare(SCIMMY.Resources.Group)
  .ingress((resource, instance) => {
    checkExists(groups, resource.id);
    const data = plain(instance);
    for (const [id, other] of groups) {
      if (id !== resource.id && sameText(other.displayName, data.displayName)) {
        throw new SCIMError(409, 'uniqueness', `group displayName "${data.displayName}" is already in use`);
      }
    }
    for (const member of data.members ?? []) {
      if (!users.has(member.value) && !groups.has(member.value)) {
        throw new SCIMError(400, 'invalidValue', `member "${member.value}" is neither a user nor a group`);
      }
    }
    // RFC 7644 §3.5.2.1: adding a member that is already there must not duplicate it.
    if (data.members) data.members = [...new Map(data.members.map((m) => [m.value, m])).values()];
    const id = resource.id ?? randomUUID();
    groups.set(id, data);
    touch(id);
    return groupOut(id);
  })
  .egress(egress(groups, groupOut))
  .degress((resource) => {
    checkExists(groups, resource.id);
    groups.delete(resource.id);
    meta.delete(resource.id);
  });

function authorised(header) {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function scimError(res, status, detail) {
  res
    .status(status)
    .type('application/scim+json')
    .json({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail });
}

const injected = { failCount: 0, failStatus: 503, delayCount: 0, delayMs: 0, staleCount: 0 };
const app = express();

app.use('/_admin', express.json(), (req, res) => {
  if (!authorised(req.get('authorization'))) return scimError(res, 401, 'Authorization failure');
  if (req.method === 'POST' && req.path === '/fail') {
    injected.failCount = Number(req.body?.count ?? 1);
    injected.failStatus = Number(req.body?.status ?? 503);
  } else if (req.method === 'POST' && req.path === '/delay') {
    injected.delayCount = Number(req.body?.count ?? 1);
    injected.delayMs = Number(req.body?.ms ?? 1000);
  } else if (req.method === 'POST' && req.path === '/stale') {
    injected.staleCount = Number(req.body?.count ?? 1);
  } else return scimError(res, 404, `no admin action ${req.method} ${req.path}`);
  res.status(204).end();
});

app.use('/scim/v2', async (req, res, next) => {
  if (injected.delayCount > 0) {
    injected.delayCount -= 1;
    await sleep(injected.delayMs);
  }
  if (injected.failCount > 0) {
    injected.failCount -= 1;
    res.set('Retry-After', '1');
    return scimError(res, injected.failStatus, `injected failure (status ${injected.failStatus})`);
  }
  if (injected.staleCount > 0 && req.method === 'GET' && /^\/(Users|Groups)\/?$/.test(req.path)) {
    injected.staleCount -= 1;
    const schemas = ['urn:ietf:params:scim:api:messages:2.0:ListResponse'];
    return res.type('application/scim+json').json({ schemas, Resources: [], totalResults: 0, startIndex: 1 });
  }
  next();
});

app.use(
  '/scim/v2',
  new SCIMMYRouters({
    type: 'bearer',
    docUri: 'https://datatracker.ietf.org/doc/html/rfc6750',
    handler: (req) => {
      // Only a fixed text goes back: echoing the header would put a (wrong) token in the client's logs.
      if (!authorised(req.get('authorization'))) throw new Error('Authorization failure');
      return 'provisioning-engine';
    },
  }),
);

const server = app.listen(port, '127.0.0.1', () => {
  process.stdout.write(`SCIM server listening on http://127.0.0.1:${port}/scim/v2\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
