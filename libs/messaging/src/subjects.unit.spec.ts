import {
  InvalidSubjectTokenError,
  ORDERS_DLQ_STREAM,
  ORDERS_STREAM,
  assertConnectionId,
  commandQueueGroup,
  commandSubject,
  consumerName,
  deadLetterSubject,
  isValidConnectionId,
  orderMessageId,
  ordersSubject,
} from './subjects';

describe('subjects', () => {
  it('builds command subjects prov.cmd.<service>.<command>', () => {
    expect(commandSubject('orders', 'report')).toBe('prov.cmd.orders.report');
    expect(commandSubject('review', 'report-error')).toBe('prov.cmd.review.report-error');
    expect(commandSubject('sync', 'report2')).toBe('prov.cmd.sync.report2');
  });

  it.each([
    ['Orders', 'report'],
    ['orders', 'Report'],
    ['orders.x', 'report'],
    ['orders', 'rep*rt'],
    ['orders', '>'],
    ['', 'report'],
    ['1orders', 'report'],
    ['orders', 'report_error'],
  ])('refuses the command subject tokens %j / %j', (service, command) => {
    expect(() => commandSubject(service, command)).toThrow(InvalidSubjectTokenError);
  });

  it('names the offending token in the error', () => {
    expect(() => commandSubject('orders', 'Bad.Cmd')).toThrow(
      /invalid command "Bad.Cmd": expected lowercase/,
    );
    expect(() => commandSubject('x y', 'a')).toThrow(/invalid service "x y"/);
  });

  it('gives every service a queue group prov-<service>', () => {
    expect(commandQueueGroup('orders')).toBe('prov-orders');
    expect(() => commandQueueGroup('Orders')).toThrow(InvalidSubjectTokenError);
  });

  it('builds order, dead-letter and consumer names from a connection id', () => {
    expect(ORDERS_STREAM).toBe('PROV_ORDERS');
    expect(ORDERS_DLQ_STREAM).toBe('PROV_ORDERS_DLQ');
    expect(ordersSubject('ldap_main')).toBe('prov.orders.ldap_main');
    expect(deadLetterSubject('ldap_main')).toBe('prov.dlq.orders.ldap_main');
    expect(consumerName('ldap_main')).toBe('prov-orders-ldap_main');
  });

  it.each(['LDAP', 'ldap.main', 'ldap-main', 'ldap*', '', ' ldap', 'a'.repeat(201)])(
    'refuses the connection id %j with a clear error',
    (id) => {
      expect(isValidConnectionId(id)).toBe(false);
      expect(() => ordersSubject(id)).toThrow(/invalid connection id .*\[a-z0-9_\]\+/);
      expect(() => deadLetterSubject(id)).toThrow(InvalidSubjectTokenError);
      expect(() => consumerName(id)).toThrow(InvalidSubjectTokenError);
    },
  );

  it('refuses a connection id that is not a string', () => {
    expect(() => assertConnectionId(42)).toThrow('invalid connection id 42');
    expect(() => assertConnectionId(undefined)).toThrow(InvalidSubjectTokenError);
  });

  it('builds message ids <orderId>:<attempt>', () => {
    expect(orderMessageId('0b6c2a4e-1', 1)).toBe('0b6c2a4e-1:1');
    expect(orderMessageId('o', 0)).toBe('o:0');
    expect(() => orderMessageId('', 1)).toThrow(/invalid order id/);
    expect(() => orderMessageId('a b', 1)).toThrow(/invalid order id/);
    expect(() => orderMessageId('o', -1)).toThrow(/invalid attempt/);
    expect(() => orderMessageId('o', 1.5)).toThrow(/invalid attempt/);
  });
});
