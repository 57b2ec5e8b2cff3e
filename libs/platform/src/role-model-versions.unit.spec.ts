import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryEventStore } from '@prov/event-store';
import { RoleModelSource } from './role-model.source';
import { RoleModelVersions } from './role-model-versions';

const MODEL = `version: 1
connections:
  - id: desk
    name: Desk
    connector: manual
resourceTypes:
  - id: badge
    name: Badge
    connection: desk
entitlements:
  - id: building
    name: Building
    resourceType: badge
`;

function roleModelFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'prov-versions-')), 'role-model.yaml');
  writeFileSync(file, text);
  return file;
}

async function versions(store: InMemoryEventStore) {
  return (await store.readAll({ filter: { streamNamePrefixes: ['rolemodel-'] } })).events;
}

describe('RoleModelVersions: every role model the services load is one recorded version', () => {
  it('the same content loaded by five services, at the same time, is recorded once, with its text and hash', async () => {
    const store = new InMemoryEventStore();
    const file = roleModelFile(MODEL);
    const services = ['gateway', 'requests', 'review', 'orders', 'agent'];
    const written = await Promise.all(
      services.map((service) =>
        new RoleModelVersions(new RoleModelSource(file), store, service).onApplicationBootstrap(),
      ),
    );
    expect(written).toHaveLength(5);
    const recorded = await versions(store);
    expect(recorded).toHaveLength(1);
    const source = new RoleModelSource(file);
    expect(recorded[0]).toMatchObject({
      streamName: `rolemodel-${source.current().hash}`,
      type: 'RoleModelDeployed',
      data: {
        hash: source.current().hash,
        version: source.current().version,
        text: MODEL,
        source: 'role-model.yaml',
        loadedBy: expect.any(String),
      },
    });
  });

  it('a changed file is a second version when the service reloads it; going back to the first adds nothing', async () => {
    const store = new InMemoryEventStore();
    const file = roleModelFile(MODEL);
    const source = new RoleModelSource(file, 0);
    const recorder = new RoleModelVersions(source, store, 'orders');
    await recorder.onApplicationBootstrap();
    const changed = MODEL.replace('name: Building', 'name: Building (all floors)');
    writeFileSync(file, changed);
    expect(source.reloadIfChanged()).toBe(true);
    // The reload itself records the new version (asynchronously): wait for it, bounded.
    for (let i = 0; i < 100 && (await versions(store)).length < 2; i++)
      await new Promise((r) => setImmediate(r));
    expect(await recorder.record(source.current())).toBe(false);
    const recorded = await versions(store);
    expect(recorded.map((e) => (e.data as { text: string }).text)).toEqual([MODEL, changed]);
    writeFileSync(file, MODEL);
    await recorder.record(new RoleModelSource(file).current());
    expect(await versions(store)).toHaveLength(2);
  });

  it('names who deployed it from ROLE_MODEL_DEPLOYED_BY as the event actor', async () => {
    const store = new InMemoryEventStore();
    const previous = process.env.ROLE_MODEL_DEPLOYED_BY;
    process.env.ROLE_MODEL_DEPLOYED_BY = 'release pipeline (rita)';
    try {
      await new RoleModelVersions(
        new RoleModelSource(roleModelFile(MODEL)),
        store,
        'gateway',
      ).onApplicationBootstrap();
    } finally {
      if (previous === undefined) delete process.env.ROLE_MODEL_DEPLOYED_BY;
      else process.env.ROLE_MODEL_DEPLOYED_BY = previous;
    }
    const [event] = await versions(store);
    expect(event.data).toMatchObject({ deployedBy: 'release pipeline (rita)', loadedBy: 'gateway' });
    expect(event.metadata).toMatchObject({ actor: 'release pipeline (rita)' });
  });
});
