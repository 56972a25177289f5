// The worker's log lines: one JSON object each, with Temporal's ids, and no secret of the worker's
// environment even when a message or a field carries one.
import { strict as assert } from 'assert';
import { formatLogLine, secretValues } from '../../worker/json-logger';

describe('json log lines', () => {
  const vars = {
    CLOCKODO_API_KEY: 'k3y-value',
    CLICKHOUSE_PASSWORD: 'pw-value',
    CLOCKODO_EMAIL: 'a@b.c',
    X: 'k',
  };

  it('knows the secrets by their setting names', () => {
    assert.deepEqual(secretValues(vars).sort(), ['k3y-value', 'pw-value']);
  });

  it('writes one JSON object with time, level, message, component and the ids', () => {
    const line = formatLogLine(
      {
        level: 'INFO',
        message: 'deletions marked',
        timestampNanos: 1_795_000_000_000_000_000n,
        meta: { sdkComponent: 'activity', workflowId: 'w', activityId: '7', resource: 'projects' },
      },
      [],
    );
    assert.ok(!line.includes('\n'));
    assert.deepEqual(JSON.parse(line), {
      time: new Date(1_795_000_000_000).toISOString(),
      level: 'INFO',
      message: 'deletions marked',
      component: 'activity',
      workflowId: 'w',
      activityId: '7',
      resource: 'projects',
    });
  });

  it('replaces every secret, in the message and in fields', () => {
    const line = formatLogLine(
      {
        level: 'WARN',
        message: 'failed with k3y-value',
        timestampNanos: 0n,
        meta: { url: 'http://u:pw-value@h' },
      },
      secretValues(vars),
    );
    assert.ok(!line.includes('k3y-value') && !line.includes('pw-value'), line);
    assert.match(line, /failed with \[redacted\]/);
  });
});
