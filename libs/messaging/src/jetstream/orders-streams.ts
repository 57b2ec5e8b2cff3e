import {
  DiscardPolicy,
  JetStreamManager,
  RetentionPolicy,
  StorageType,
  StreamConfig,
  StreamInfo,
  nanos,
} from 'nats';
import { handleWhen, retry } from 'cockatiel';
import { ORDERS_DLQ_STREAM, ORDERS_DLQ_SUBJECTS, ORDERS_STREAM, ORDERS_SUBJECTS } from '../subjects';
import { isJetStreamApiError } from './jetstream-errors';

/** 10058: the stream name is in use, i.e. another service created it after we looked. */
const CREATED_MEANWHILE = retry(
  handleWhen((error) => isJetStreamApiError(error, 10058)),
  { maxAttempts: 1 },
);

export interface OrdersStreamsOptions {
  /** Copies of each message in a cluster (1 for a single server, 3 in production clusters). */
  replicas?: number;
  storage?: StorageType;
  /** How long a repeated `<orderId>:<attempt>` is recognised as a duplicate (default 2 min). */
  duplicateWindowMs?: number;
  /** How long dead letters are kept (default 30 days); they are a record for operators. */
  deadLetterMaxAgeMs?: number;
  /** Bounds of PROV_ORDERS (default: unbounded); a publish beyond them is refused, never an order dropped. */
  maxMessages?: number;
  maxBytes?: number;
  /** Dead letters kept at most (default unbounded); the oldest go first. */
  deadLetterMaxMessages?: number;
}

export interface OrdersStreams {
  orders: StreamInfo;
  deadLetters: StreamInfo;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The stream configs, derived in one place so creation and updates agree.
 *
 * `PROV_ORDERS` is a work queue: a message is deleted once acked, and each connection's
 * subject may have exactly one consumer (its durable), which is what we want: agents share
 * that consumer. `PROV_ORDERS_DLQ` keeps messages by limits (age), because nobody "consumes"
 * dead letters; operators read and replay them.
 */
export function ordersStreamConfigs(options: OrdersStreamsOptions = {}): {
  orders: Partial<StreamConfig> & { name: string };
  deadLetters: Partial<StreamConfig> & { name: string };
} {
  const common = {
    storage: options.storage ?? StorageType.File,
    num_replicas: options.replicas ?? 1,
    duplicate_window: nanos(options.duplicateWindowMs ?? 2 * 60 * 1000),
  };
  return {
    orders: {
      ...common,
      name: ORDERS_STREAM,
      description:
        'Provisioning orders for connector agents (work queue, one durable consumer per connection)',
      subjects: [ORDERS_SUBJECTS],
      retention: RetentionPolicy.Workqueue,
      // Full: refuse the publish (the order stays Pending and is dispatched again later) rather
      // than drop the oldest waiting order.
      discard: DiscardPolicy.New,
      max_msgs: options.maxMessages ?? -1,
      max_bytes: options.maxBytes ?? -1,
    },
    deadLetters: {
      ...common,
      name: ORDERS_DLQ_STREAM,
      description: 'Provisioning orders that could not be processed, with the reason in their headers',
      subjects: [ORDERS_DLQ_SUBJECTS],
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: nanos(options.deadLetterMaxAgeMs ?? 30 * DAY_MS),
      max_msgs: options.deadLetterMaxMessages ?? -1,
    },
  };
}

/**
 * Creates `PROV_ORDERS` and `PROV_ORDERS_DLQ`, or brings existing ones to this configuration.
 * Idempotent and safe to call from every service at start-up, also concurrently. Properties
 * that JetStream cannot change on an existing stream (retention, storage) are reported as an
 * error naming the difference instead of being silently ignored.
 */
export async function ensureOrdersStreams(
  jsm: JetStreamManager,
  options: OrdersStreamsOptions = {},
): Promise<OrdersStreams> {
  const configs = ordersStreamConfigs(options);
  const orders = await ensureStream(jsm, configs.orders);
  const deadLetters = await ensureStream(jsm, configs.deadLetters);
  return { orders, deadLetters };
}

async function ensureStream(
  jsm: JetStreamManager,
  wanted: Partial<StreamConfig> & { name: string },
): Promise<StreamInfo> {
  return CREATED_MEANWHILE.execute(async () => {
    const existing = await streamInfo(jsm, wanted.name);
    if (existing) return updateIfNeeded(jsm, existing, wanted);
    return jsm.streams.add(wanted);
  });
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (isJetStreamApiError(error, 10059)) return undefined;
    throw error;
  }
}

async function updateIfNeeded(
  jsm: JetStreamManager,
  existing: StreamInfo,
  wanted: Partial<StreamConfig> & { name: string },
): Promise<StreamInfo> {
  const current = existing.config;
  for (const key of ['retention', 'storage'] as const) {
    if (wanted[key] !== undefined && current[key] !== wanted[key]) {
      throw new Error(
        `stream ${wanted.name} exists with ${key} ${current[key]}, but ${wanted[key]} is needed; ` +
          `JetStream cannot change ${key} in place: move its messages away and delete the stream`,
      );
    }
  }
  const changed =
    !sameSubjects(current.subjects, wanted.subjects) ||
    current.duplicate_window !== wanted.duplicate_window ||
    current.num_replicas !== wanted.num_replicas ||
    (wanted.max_age !== undefined && current.max_age !== wanted.max_age) ||
    (wanted.max_msgs !== undefined && current.max_msgs !== wanted.max_msgs) ||
    (wanted.max_bytes !== undefined && current.max_bytes !== wanted.max_bytes) ||
    (wanted.discard !== undefined && current.discard !== wanted.discard) ||
    current.description !== wanted.description;
  if (!changed) return existing;
  return jsm.streams.update(wanted.name, {
    subjects: wanted.subjects,
    duplicate_window: wanted.duplicate_window,
    num_replicas: wanted.num_replicas,
    max_age: wanted.max_age ?? current.max_age,
    max_msgs: wanted.max_msgs ?? current.max_msgs,
    max_bytes: wanted.max_bytes ?? current.max_bytes,
    discard: wanted.discard ?? current.discard,
    description: wanted.description,
  });
}

function sameSubjects(a: string[] | undefined, b: string[] | undefined): boolean {
  const left = [...(a ?? [])].sort();
  const right = [...(b ?? [])].sort();
  return left.length === right.length && left.every((subject, i) => subject === right[i]);
}
