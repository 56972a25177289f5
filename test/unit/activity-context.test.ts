// What activities report through their context (counters, log events, heartbeats), run inside
// @temporalio/testing's MockActivityEnvironment: product code has no branch for being called outside
// an activity, so the tests give it one.
import { strict as assert } from 'assert';
import { MetricCounter, MetricMeter, MetricTags, noopMetricMeter } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { HEARTBEAT_EVERY_MS, withHeartbeats } from '../../activities/heartbeat';
import { count, logInActivity } from '../../activities/telemetry';

/** A metric meter that keeps what its counters were given. */
function recordingMeter(): { meter: MetricMeter; added: [string, number, MetricTags | undefined][] } {
  const added: [string, number, MetricTags | undefined][] = [];
  const meter: MetricMeter = Object.create(noopMetricMeter) as MetricMeter;
  meter.createCounter = (name: string): MetricCounter => {
    const counter = Object.create(noopMetricMeter.createCounter(name)) as MetricCounter;
    counter.add = (value: number, tags?: MetricTags) => void added.push([name, value, tags]);
    return counter;
  };
  return { meter, added };
}

describe('activity context: counters, log events, heartbeats', () => {
  it('adds to a counter tagged with the resource, and skips nothing-to-count', async () => {
    const { meter, added } = recordingMeter();
    const env = new MockActivityEnvironment({}, { metricMeter: meter });
    await env.run(async () => {
      await Promise.resolve();
      count('clockodo_pages', 'entries', 1);
      count('clockodo_rows_written', 'entries', 0);
      count('clockodo_rows_deleted', 'customers', 3);
    });
    // The activity's meter adds its own tags (namespace, task queue) beside the resource.
    assert.deepEqual(
      added.map(([name, value, tags]) => [name, value, tags?.resource]),
      [
        ['clockodo_pages', 1, 'entries'],
        ['clockodo_rows_deleted', 3, 'customers'],
      ],
    );
  });

  it("logs through the activity's logger", async () => {
    const logged: [string, unknown][] = [];
    const logger = {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: (message: string, meta?: unknown) => void logged.push([message, meta]),
      warn: () => undefined,
      error: () => undefined,
    };
    await new MockActivityEnvironment({}, { logger }).run(async () => {
      await Promise.resolve();
      logInActivity('deletions marked', { resource: 'customers', marked: 2 });
    });
    assert.equal(logged.length, 1);
    const [message, meta] = logged[0] as [string, Record<string, unknown>];
    assert.equal(message, 'deletions marked');
    // The activity's logger adds the activity's own attributes beside the event's.
    assert.equal(meta.resource, 'customers');
    assert.equal(meta.marked, 2);
  });

  it('fails outside an activity rather than count or log nowhere', () => {
    assert.throws(() => count('clockodo_pages', 'entries', 1));
    assert.throws(() => logInActivity('x', {}));
  });

  it(`heartbeats every ${HEARTBEAT_EVERY_MS} ms while the work runs`, async function () {
    this.timeout(HEARTBEAT_EVERY_MS * 3);
    const env = new MockActivityEnvironment();
    const firstBeat = new Promise<void>((resolve) => env.once('heartbeat', () => resolve()));
    // The work ends when the first heartbeat comes: without heartbeats the test times out.
    const result = await env.run(() => withHeartbeats(() => firstBeat.then(() => 'done')));
    assert.equal(result, 'done');
  });
});
