export * from './types';
export * from './event-store';
export * from './errors';
export type { Position } from './position';
export {
  START,
  comparePositions,
  isStart,
  maxPosition,
  encodePosition,
  decodePosition,
  toPosition,
  POSITION_PART_WIDTH,
} from './position';
export { matchesFilter, isEmptyFilter, checkFilter, collectPage, scanLimitFor } from './filter';
export { prepareAppend, prepareAppends } from './validation';
export type { PreparedAppend, PreparedEvent } from './validation';
export * from './catch-up-subscription';
export * from './partitioned-catch-up';
export * from './hash-chain';
export type { Pacing } from '@prov/gathering';
