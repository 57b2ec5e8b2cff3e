import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type PasswordDeliverySettings, readPasswordDelivery } from '@prov/config';
import type { ApplyOutcome, OrderToApply } from '@prov/connectors';
import { ROLE_MODEL } from '@prov/platform';
import type { RoleModel } from '@prov/role-model';
import { generatePassword } from './generate-password';

export const PASSWORD_DELIVERY = Symbol('PASSWORD_DELIVERY');

export const passwordDeliveryProvider = {
  provide: PASSWORD_DELIVERY,
  useFactory: () => readPasswordDelivery(),
};

/** An order as the connector gets it, with the password made for it (in this process's memory only). */
export interface PreparedOrder {
  order: OrderToApply;
  password?: string;
}

/** File names from account keys and connection ids, which are free text in the target. */
function safeName(text: string): string {
  return encodeURIComponent(text).replace(/\./g, '%2E');
}

/**
 * Passwords the role model asks the agent to generate (generatePassword, ADR 0011). Made here,
 * at write time, added to the order the connector applies and nowhere else: the order event,
 * the JetStream message and every report and log line carry no password. Handed to the person
 * through the delivery directory once the connector says it set it.
 */
@Injectable()
export class GeneratedPasswords {
  private readonly logger = new Logger('GeneratedPasswords');

  constructor(
    @Inject(ROLE_MODEL) private readonly roleModel: RoleModel,
    @Inject(PASSWORD_DELIVERY) private readonly delivery: PasswordDeliverySettings,
  ) {}

  prepare(order: OrderToApply): PreparedOrder {
    const policy = this.roleModel.resourceType(order.resourceTypeId)?.generatePassword;
    if (!policy || order.changeType !== 'Added' || order.changes?.attributes === undefined) return { order };
    const password = generatePassword(policy.length);
    const attributes = { ...order.changes.attributes, [policy.attribute]: password };
    return { order: { ...order, changes: { ...order.changes, attributes } }, password };
  }

  /**
   * After a successful apply. A failed delivery is logged (without the password) and does not
   * fail the order: the account exists with a password nobody knows, and is reset like a lost one.
   */
  async handOver(prepared: PreparedOrder, outcome: ApplyOutcome | void): Promise<void> {
    if (!prepared.password || !outcome?.passwordSet) return;
    const { orderId, connectionId, identityId, changes } = prepared.order;
    const where = { orderId, connectionId, identityId, accountKey: changes.accountKey };
    if (!this.delivery.directory) {
      this.logger.warn({
        msg: 'generated password handed to nobody (PASSWORD_DELIVERY_DIR is not set); the person must reset it',
        ...where,
      });
      return;
    }
    try {
      const folder = join(this.delivery.directory, safeName(connectionId));
      await mkdir(folder, { recursive: true, mode: 0o700 });
      const file = join(folder, `${safeName(changes.accountKey)}.json`);
      const draft = `${file}.${process.pid}.tmp`;
      const content = { ...where, password: prepared.password, createdAt: new Date().toISOString() };
      await writeFile(draft, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
      await chmod(draft, 0o600); // whatever the umask
      await rename(draft, file);
      this.logger.log({ msg: 'generated password handed over', ...where });
    } catch (error) {
      this.logger.error({
        msg: 'generated password could not be handed over; the person must reset it',
        ...where,
        error: (error as Error).message,
      });
    }
  }
}
