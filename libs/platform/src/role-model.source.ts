import { Logger } from '@nestjs/common';
import { statSync } from 'node:fs';
import { loadRoleModel, type RoleModel } from '@prov/role-model';

/**
 * The role model in force, reloaded when its file changes (checked at most every two seconds).
 * A changed file that does not validate is refused with its errors logged, and the previous
 * model stays in force: a typo must not stop provisioning.
 */
export class RoleModelSource {
  private readonly logger = new Logger('RoleModel');
  private model: RoleModel;
  private mtimeMs: number;
  private checkedAt = Date.now();
  private readonly listeners: Array<(model: RoleModel) => void> = [];

  constructor(
    private readonly path: string,
    private readonly recheckMs = 2000,
  ) {
    this.model = loadRoleModel(path);
    this.mtimeMs = statSync(path).mtimeMs;
  }

  current(): RoleModel {
    if (Date.now() - this.checkedAt >= this.recheckMs) this.reloadIfChanged();
    return this.model;
  }

  reloadIfChanged(): boolean {
    this.checkedAt = Date.now();
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.path).mtimeMs;
    } catch (error) {
      this.logger.error({
        msg: 'role model file unreadable; keeping the model in force',
        error: String(error),
      });
      return false;
    }
    if (mtimeMs === this.mtimeMs) return false;
    try {
      const next = loadRoleModel(this.path);
      this.mtimeMs = mtimeMs;
      if (next.hash === this.model.hash) return false;
      this.logger.log({ msg: 'role model reloaded', from: this.model.version, to: next.version });
      this.model = next;
      for (const listener of this.listeners) listener(next);
      return true;
    } catch (error) {
      this.mtimeMs = mtimeMs;
      this.logger.error({
        msg: 'changed role model refused; keeping the model in force',
        error: (error as Error).message,
      });
      return false;
    }
  }

  /** Called with each new model that replaces the one in force (not for the first one). */
  onChange(listener: (model: RoleModel) => void): void {
    this.listeners.push(listener);
  }

  /** A RoleModel that always answers from the model in force, for injection where a RoleModel is expected. */
  asRoleModel(): RoleModel {
    return new Proxy({} as RoleModel, {
      get: (_target, property) => {
        const model = this.current();
        const value = Reflect.get(model, property, model);
        return typeof value === 'function' ? value.bind(model) : value;
      },
    });
  }
}
