/** What the test-only observer may publish: read-only JetStream API requests. */
const OBSERVER_PUBLISH = [
  '$JS.API.INFO',
  '$JS.API.STREAM.NAMES',
  '$JS.API.STREAM.LIST',
  '$JS.API.STREAM.INFO.*',
  '$JS.API.STREAM.MSG.GET.*',
];

/** The bus configuration with the test-only observer (option `busObserverNkey`) added to its users, if any. */
export function withObserver(configuration: string, nkey: string | undefined): string {
  if (!nkey) return configuration;
  const end = configuration.lastIndexOf('\n  ]\n}');
  if (end < 0) throw new Error('the bus configuration has no user list to add the observer to');
  const observer = [
    '',
    '    # test-only observer (startSystem option busObserverNkey): subscribes to everything, reads the streams',
    `    { nkey: ${JSON.stringify(nkey)}, permissions: {`,
    `        publish: { allow: [${OBSERVER_PUBLISH.map((s) => JSON.stringify(s)).join(', ')}] }`,
    '        subscribe: { allow: [">"] }',
    '    } }',
  ].join('\n');
  return configuration.slice(0, end) + observer + configuration.slice(end);
}
