/**
 * Checkpoints kept in a Map. Reuse one instance across "restarts" of an in-memory store to test
 * that a consumer resumes where it stopped.
 */
import type { CheckpointStore, Position } from '../core';

export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly positions = new Map<string, Position>();

  async load(subscriptionId: string): Promise<Position | undefined> {
    return this.positions.get(subscriptionId);
  }

  async store(subscriptionId: string, position: Position): Promise<void> {
    this.positions.set(subscriptionId, position);
  }
}
