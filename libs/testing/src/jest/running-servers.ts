/** The servers the global setup started, kept on the global object so the teardown (same process) finds them. */
interface Stoppable {
  stop(): Promise<void>;
}

const KEY = Symbol.for('prov.testing.running-servers');
type Holder = { [KEY]?: Stoppable[] };

export function registerForTeardown(...servers: Stoppable[]): void {
  const holder = globalThis as Holder;
  holder[KEY] = [...(holder[KEY] ?? []), ...servers];
}

export async function stopRegisteredServers(): Promise<void> {
  const holder = globalThis as Holder;
  const servers = holder[KEY] ?? [];
  holder[KEY] = [];
  await Promise.allSettled(servers.map((s) => s.stop()));
}
