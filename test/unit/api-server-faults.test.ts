// The API server's fault injection: by path, query and count; seeded random mode; named faults and
// their counts; the control routes a server in another process is driven by.
import { strict as assert } from 'assert';
import fetch from 'node-fetch';
import { generateDataset } from '../../api-server/data-generator';
import { FaultQueue, faultName, namedFault, NAMED_FAULTS, validateFault } from '../../api-server/faults';
import { RunningApiServer, startApiServer } from '../../api-server/server';

describe('api-server fault injection', () => {
  it('names every named fault as it is counted', () => {
    for (const name of NAMED_FAULTS) assert.equal(faultName(namedFault(name)), name);
    assert.equal(
      faultName({ status: 503, times: 1, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' }),
      '503-retry-after-date',
    );
  });

  it('matches by path prefix and query, in the order injected, for the given count', () => {
    const q = new FaultQueue();
    q.add({ status: 503, times: 2, pathPrefix: '/v2/entries', query: { page: '3' } });
    q.add({ kind: 'reset', times: 1, pathPrefix: '/v2/entries' });
    assert.equal(q.take('/v2/customers', { page: '3' }), undefined);
    assert.equal(q.take('/v2/entries', { page: '3' })?.status, 503);
    assert.equal(q.take('/v2/entries', { page: '1' })?.kind, 'reset');
    assert.equal(q.take('/v2/entries', { page: '3', items_per_page: '1000' })?.status, 503);
    assert.equal(q.take('/v2/entries', { page: '3' }), undefined);
    assert.deepEqual(q.injected, { '503': 2, reset: 1 });
  });

  it('draws random faults from a seed: the same seed, the same faults, at about the rates', () => {
    const draws = (seed: number) => {
      const q = new FaultQueue();
      q.setRandom({ seed, rates: { '503': 0.1, reset: 0.05, 'truncated-json': 0.05 }, pathPrefix: '/v2/' });
      return Array.from({ length: 4000 }, () => {
        const fault = q.take('/v2/entries');
        return fault ? faultName(fault) : '-';
      });
    };
    const a = draws(11);
    assert.deepEqual(a, draws(11));
    assert.notDeepEqual(a, draws(12));
    const share = (name: string) => a.filter((x) => x === name).length / a.length;
    assert.ok(Math.abs(share('-') - 0.8) < 0.03, `no fault: ${share('-')}`);
    assert.ok(Math.abs(share('503') - 0.1) < 0.03, `503: ${share('503')}`);
    assert.ok(Math.abs(share('reset') - 0.05) < 0.02, `reset: ${share('reset')}`);
    const q = new FaultQueue();
    q.setRandom({ seed: 1, rates: { '503': 1 }, pathPrefix: '/v2/entries' });
    assert.equal(q.take('/v2/customers'), undefined, 'outside the path prefix');
    q.clear();
    assert.equal(q.take('/v2/entries'), undefined, 'clear ends random mode');
  });

  it('refuses faults and random modes it cannot serve', () => {
    assert.throws(() => validateFault({ times: 1 }), /status/);
    assert.throws(() => validateFault({ kind: 'meltdown', times: 1 }), /kind/);
    assert.throws(() => validateFault({ kind: 'reset', times: 0 }), /times/);
    assert.throws(() => validateFault({ kind: 'reset', times: 1, query: { page: 3 } }), /query/);
    validateFault({ kind: 'stall-body', times: 1, stallMs: 100 });
    const q = new FaultQueue();
    assert.throws(() => q.setRandom({ seed: 1, rates: { '503': 0.7, reset: 0.5 } }), /sum/);
    assert.throws(() => q.setRandom({ seed: 1, rates: { '418': 0.1 } as never }), /unknown fault/);
  });

  describe('served', function () {
    this.timeout(20_000);
    let server: RunningApiServer;
    const credentials = { email: 'f@example.com', apiKey: 'faults-key' };
    const headers = {
      Authorization: `Basic ${Buffer.from('f@example.com:faults-key').toString('base64')}`,
      'X-Clockodo-External-Application': 'unit;f@example.com',
    };
    before(async () => {
      const year = new Date().getUTCFullYear();
      const dataset = generateDataset(
        5,
        { customers: 30, projects: 2, absencesPerYear: 1, entries: 2, users: 1, years: [year] },
        new Date(),
      );
      server = await startApiServer({
        dataset,
        credentials,
        allowControl: true,
        randomFaults: { seed: 3, rates: { '502': 1 }, pathPrefix: '/v2/projects' },
      });
    });
    after(() => server.close());

    it('starts in random mode when told, and logs each fault by name', async () => {
      const res = await fetch(`${server.url}/v2/projects`, { headers });
      assert.equal(res.status, 502);
      await res.text();
      server.setRandomFaults(undefined);
      assert.equal((await fetch(`${server.url}/v2/projects`, { headers })).status, 200);
      assert.deepEqual(
        server.requestLog.slice(-2).map((r) => [r.status, r.fault]),
        [
          [502, '502'],
          [200, undefined],
        ],
      );
    });

    it('truncates the real page, and answers HTML with its content type', async () => {
      const whole = await (await fetch(`${server.url}/v2/customers`, { headers })).text();
      server.injectFault({ kind: 'truncated-json', times: 1 });
      const cut = await fetch(`${server.url}/v2/customers`, { headers });
      assert.equal(cut.status, 200);
      const text = await cut.text();
      assert.ok(text.length > 0 && whole.startsWith(text) && text.length < whole.length);
      server.injectFault({ kind: 'html', times: 1 });
      const html = await fetch(`${server.url}/v2/customers`, { headers });
      assert.equal(html.status, 502);
      assert.equal(html.headers.get('content-type'), 'text/html');
      assert.match(await html.text(), /<title>502 Bad Gateway<\/title>/);
    });

    it('is driven through the control routes: named faults, random mode, counts', async () => {
      const control = server.url.replace(/\/api$/, '/__control');
      const post = await fetch(`${control}/faults`, {
        method: 'POST',
        body: JSON.stringify({ name: '429-retry-after-seconds', times: 1, pathPrefix: '/v2/customers' }),
      });
      assert.equal(post.status, 200);
      await post.text();
      const limited = await fetch(`${server.url}/v2/customers`, { headers });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '1');
      await limited.text();
      const bad = await fetch(`${control}/random-faults`, {
        method: 'PUT',
        body: JSON.stringify({ seed: 1, rates: { nonsense: 0.1 } }),
      });
      assert.equal(bad.status, 400);
      await bad.text();
      const put = await fetch(`${control}/random-faults`, {
        method: 'PUT',
        body: JSON.stringify({ seed: 9, rates: { '504': 1 }, pathPrefix: '/v2/customers' }),
      });
      assert.equal(put.status, 200);
      await put.text();
      assert.equal((await fetch(`${server.url}/v2/customers`, { headers })).status, 504);
      const off = await fetch(`${control}/random-faults`, { method: 'DELETE' });
      await off.text();
      assert.equal((await fetch(`${server.url}/v2/customers`, { headers })).status, 200);
      const counts = (await (await fetch(`${control}/faults`)).json()) as {
        pending: number;
        injected: Record<string, number>;
      };
      assert.equal(counts.pending, 0);
      assert.equal(counts.injected['429-retry-after-seconds'], 1);
      assert.equal(counts.injected['504'], 1);
      assert.deepEqual(counts.injected, server.faultCounts());
    });
  });
});
