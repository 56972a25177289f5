// The receiver's signaller: events gather into one entry per resource, a signal that fails is sent
// again with what came meanwhile, and an event that travelled in another event's entry is counted
// coalesced once, when its signal is sent.
import { strict as assert } from 'assert';
import type { Client } from '@temporalio/client';
import { changesInputFromSettings } from '../../client/webhooks';
import { WebhookMetrics } from '../../client/webhook-metrics';
import { ChangesSignaller } from '../../client/webhook-signaller';
import type { ResourceEvents } from '../../domain/changes';
import { readEnv, resolveVariables } from '../../config/settings';

const quiet = { info: () => undefined, warn: () => undefined };
const ev = (resource: string, count = 1): ResourceEvents => ({
  resource,
  event: `${resource}.updated`,
  count,
  at: 1,
});

describe('webhook signaller', function () {
  this.timeout(20_000);
  it('sends a failed batch again merged with what came meanwhile, counting each event once', async () => {
    const sent: ResourceEvents[][] = [];
    let calls = 0;
    let release: () => void = () => undefined;
    const client = {
      workflow: {
        signalWithStart: async (_wf: unknown, opts: { signalArgs: [ResourceEvents[]] }) => {
          calls++;
          if (calls === 1) {
            // The first signal fails, after events came in while it was on its way.
            await new Promise<void>((r) => (release = r));
            throw new Error('Temporal unreachable');
          }
          sent.push(opts.signalArgs[0]);
        },
      },
    } as unknown as Client;
    const input = changesInputFromSettings({
      ...resolveVariables(readEnv()),
      WEBHOOK_TOKEN: '0123456789abcdef',
    });
    const metrics = new WebhookMetrics();
    const signaller = new ChangesSignaller(client, 'q', input, metrics, quiet);
    signaller.add([ev('entries'), ev('entries'), ev('customers')]);
    await new Promise((r) => setTimeout(r, 150)); // the first signal is on its way
    signaller.add([ev('entries', 3), ev('teams')]);
    signaller.add([ev('entries')]);
    release();
    await new Promise((r) => setTimeout(r, 1500)); // the retry, after its backoff
    await signaller.close();
    assert.equal(metrics.signalsFailed, 1);
    assert.equal(metrics.signalsSent, 1);
    const counts = Object.fromEntries(sent.flat().map((e) => [e.resource, e.count]));
    assert.deepEqual(counts, { entries: 6, customers: 1, teams: 1 });
    // 8 events in 3 entries: 5 travelled in another event's entry.
    assert.equal(metrics.coalesced, 5);
  });
});
