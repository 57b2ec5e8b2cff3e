// The rule lives with the re-evaluation decision it serves (shared with the gateway's preview).
export { mayHaveBeenWritten } from '@prov/platform';
