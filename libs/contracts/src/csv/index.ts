// A separate entry point: pure and free of framework imports, so that the console can bundle it.
export * from './csv';
export * from './manual-orders';
