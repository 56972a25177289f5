// What a webhook request says: where its token may be, which event it names, which of our resources
// that changes (in either preset), and Clockodo's validation request.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import {
  eventNamesOf,
  printable,
  sameToken,
  targetOf,
  tokensOf,
  validationSecret,
} from '../../client/webhook-request';
import { webhookSettings } from '../../client/webhook-settings';
import { entityOfEvent, entityOfResource, WEBHOOK_EVENTS } from '../../domain/webhook-events';

const presetNames = (file: string) =>
  (
    JSON.parse(readFileSync(path.join(__dirname, '../../config/sources', file), 'utf8')) as {
      resources: { name: string }[];
    }
  ).resources.map((r) => r.name);
const V2 = presetNames('clockodo-v2.json');
const CURRENT = presetNames('clockodo-current.json');
const q = (text: string) => new URLSearchParams(text);

describe('webhook requests', () => {
  it("lists every event Clockodo's docs name, and only those", () => {
    assert.equal(WEBHOOK_EVENTS.length, 46);
    for (const e of [
      'entry.started',
      'entry.stopped',
      'absence.approved',
      'project.completed',
      'work_time_change_request.deleted',
    ])
      assert.ok(WEBHOOK_EVENTS.includes(e), e);
    assert.equal(entityOfEvent('lump_sum_service.updated'), 'lump_sum_service');
    assert.equal(entityOfEvent('entry.approved'), undefined);
    assert.equal(entityOfEvent('invoice.created'), undefined);
    assert.equal(entityOfResource('lumpsum_services'), 'lump_sum_service');
    assert.equal(entityOfResource('surcharges'), undefined);
  });

  it('finds the token in the Authorization header, the token headers, the URL and the body', () => {
    assert.deepEqual(tokensOf({ authorization: 'Bearer abc' }, q(''), undefined), ['abc']);
    assert.deepEqual(tokensOf({ authorization: 'abc' }, q(''), undefined), ['abc']);
    assert.deepEqual(tokensOf({ 'x-clockodo-token': 'abc' }, q(''), undefined), ['abc']);
    assert.deepEqual(tokensOf({}, q('token=abc'), undefined), ['abc']);
    assert.deepEqual(tokensOf({}, q(''), { token: 'abc', event: 'entry.updated' }), ['abc']);
    assert.deepEqual(tokensOf({}, q(''), { event: 'entry.updated' }), []);
  });

  it('compares tokens whatever their lengths', () => {
    assert.ok(sameToken('0123456789abcdef', '0123456789abcdef'));
    assert.ok(!sameToken('0123456789abcdeF', '0123456789abcdef'));
    assert.ok(!sameToken('', '0123456789abcdef'));
    assert.ok(!sameToken('0123456789abcdef0', '0123456789abcdef'));
  });

  it('reads the event from the body (one or a list) or a header', () => {
    assert.deepEqual(eventNamesOf({}, { event: 'entry.updated', data: { id: 1 } }), ['entry.updated']);
    assert.deepEqual(eventNamesOf({}, { type: 'customer.created' }), ['customer.created']);
    assert.deepEqual(eventNamesOf({}, [{ event: 'entry.created' }, { event: 'entry.deleted' }]), [
      'entry.created',
      'entry.deleted',
    ]);
    // A record's own `name` or `type` fields are not events.
    assert.deepEqual(eventNamesOf({}, { type: 2, name: 'Acme' }), []);
    assert.deepEqual(eventNamesOf({ 'x-clockodo-event': 'team.updated' }, undefined), ['team.updated']);
  });

  it("maps each entity to the preset's resources, with what is computed from it", () => {
    const resourcesOf = (event: string, names: string[]) => {
      const t = targetOf(undefined, [event], names);
      return t.kind === 'resources' ? t.changed.map((c) => c.resource) : t.kind;
    };
    assert.deepEqual(resourcesOf('entry.updated', V2), ['entries', 'user_reports', 'work_times']);
    assert.deepEqual(resourcesOf('subproject.created', V2), ['projects']);
    assert.deepEqual(resourcesOf('subproject.created', CURRENT), ['subprojects']);
    assert.deepEqual(resourcesOf('nonbusiness_group.updated', V2), ['nonbusiness_days']);
    assert.deepEqual(resourcesOf('nonbusiness_group.updated', CURRENT), [
      'nonbusiness_groups',
      'nonbusiness_days',
    ]);
    assert.deepEqual(resourcesOf('work_time_change_request.created', V2), ['work_times']);
    assert.deepEqual(resourcesOf('work_time_change_request.created', CURRENT), [
      'work_time_change_requests',
      'work_times',
    ]);
    assert.deepEqual(resourcesOf('lump_sum_service.deleted', CURRENT), ['lumpsum_services']);
    // Every entity lands somewhere in the current preset.
    for (const e of WEBHOOK_EVENTS) assert.notEqual(resourcesOf(e, CURRENT), 'ignored', e);
  });

  it('ignores unknown events and those of no configured resource, counting each event', () => {
    assert.deepEqual(targetOf(undefined, ['invoice.created'], V2), {
      kind: 'ignored',
      reason: 'unknown event invoice.created',
    });
    assert.deepEqual(targetOf(undefined, ['customer.updated'], ['entries']), {
      kind: 'ignored',
      reason: 'no configured resource holds customer',
    });
    assert.equal(targetOf(undefined, [], V2).kind, 'ignored');
    const t = targetOf(
      undefined,
      ['entry.created', 'entry.updated', 'customer.deleted'],
      ['entries', 'customers'],
    );
    assert.deepEqual(t, {
      kind: 'resources',
      changed: [
        { resource: 'entries', event: 'entry.updated', count: 2 },
        { resource: 'customers', event: 'customer.deleted', count: 1 },
      ],
    });
  });

  it('takes the resource from the path, whatever the body holds', () => {
    assert.deepEqual(targetOf('customers', [], V2), {
      kind: 'resources',
      changed: [{ resource: 'customers', event: 'path:customers', count: 1 }],
    });
    const entity = targetOf('entry', ['entry.updated'], ['entries']);
    assert.deepEqual(entity, {
      kind: 'resources',
      changed: [{ resource: 'entries', event: 'entry.updated', count: 1 }],
    });
    assert.deepEqual(targetOf('invoices', [], V2), { kind: 'unknown-path', name: 'invoices' });
  });

  it("recognises Clockodo's validation request by its secret parameter", () => {
    assert.equal(validationSecret(q('secret=abc123')), 'abc123');
    assert.equal(validationSecret(q('validation_token=xyz')), 'xyz');
    assert.equal(validationSecret(q('token=abc')), undefined);
    assert.equal(printable('a\u0000b\nc'), 'a?b?c');
  });
});

describe('webhook settings', () => {
  const token = { WEBHOOK_TOKEN: '0123456789abcdef0123' };
  it('defaults: 127.0.0.1:8790, a 2 s debounce, 10 m idle, 1 h lock wait', () => {
    assert.deepEqual(webhookSettings(token), {
      listen: { host: '127.0.0.1', port: 8790 },
      token: token.WEBHOOK_TOKEN,
      debounceMs: 2000,
      idleMs: 600_000,
      lockWaitMs: 3_600_000,
    });
    assert.equal(webhookSettings({ ...token, WEBHOOK_DEBOUNCE: '500ms' }).debounceMs, 500);
  });
  it('names the setting and the problem, never the token', () => {
    assert.throws(() => webhookSettings({}), /WEBHOOK_TOKEN: not set/);
    assert.throws(
      () => webhookSettings({ WEBHOOK_TOKEN: 'short-secret' }),
      (e: Error) =>
        /WEBHOOK_TOKEN: 12 characters is too short/.test(e.message) && !e.message.includes('short-secret'),
    );
    assert.throws(
      () => webhookSettings({ ...token, WEBHOOK_LISTEN: 'http://x:1' }),
      /WEBHOOK_LISTEN: must be host:port/,
    );
    assert.throws(
      () => webhookSettings({ ...token, WEBHOOK_DEBOUNCE: '2 seconds' }),
      /WEBHOOK_DEBOUNCE: expected a duration/,
    );
    assert.throws(
      () => webhookSettings({ ...token, WEBHOOK_IDLE: '10s' }),
      /WEBHOOK_IDLE: must be from 1m to 1d/,
    );
  });
});
