// Resource workflow ids are locks (one running workflow per id): every spelling of one destination
// must give one id, whatever task queue started the sync, and credentials must never appear in it.
import { strict as assert } from 'assert';
import { destinationOf, resolveVariables } from '../../config/settings';
import { destinationKey, partWorkflowId, resourceWorkflowId } from '../../domain/workflow-ids';

const NOW = new Date('2025-06-15T10:30:00Z');

describe('destinationKey', () => {
  it('is host:port/database, without the scheme', () => {
    assert.equal(
      destinationKey({ url: 'http://127.0.0.1:8123', database: 'clockodo' }),
      '127.0.0.1:8123/clockodo',
    );
    assert.equal(
      destinationKey({ url: 'https://ch.example.com:8443', database: 'clockodo' }),
      'ch.example.com:8443/clockodo',
    );
  });

  it('drops user and password, keeping nothing of them', () => {
    const key = destinationKey({ url: 'http://sync_user:s3cret-pw@ch.example.com:8123', database: 'db' });
    assert.equal(key, 'ch.example.com:8123/db');
    assert.equal(destinationKey({ url: 'http://sync_user@ch.example.com:8123', database: 'db' }), key);
  });

  it('lower-cases the host, but not the database', () => {
    assert.equal(
      destinationKey({ url: 'HTTP://CH.Example.COM:8123', database: 'Clockodo_Test' }),
      'ch.example.com:8123/Clockodo_Test',
    );
  });

  it('keeps the port, so two servers on one host stay apart', () => {
    assert.notEqual(
      destinationKey({ url: 'http://127.0.0.1:8123', database: 'clockodo' }),
      destinationKey({ url: 'http://127.0.0.1:18123', database: 'clockodo' }),
    );
  });

  it('ignores a path or trailing slash', () => {
    assert.equal(
      destinationKey({ url: 'http://127.0.0.1:8123/', database: 'clockodo' }),
      '127.0.0.1:8123/clockodo',
    );
    assert.equal(
      destinationKey({ url: 'http://127.0.0.1:8123/some/path', database: 'clockodo' }),
      '127.0.0.1:8123/clockodo',
    );
  });

  it('tells databases on one server apart', () => {
    assert.notEqual(
      destinationKey({ url: 'http://127.0.0.1:8123', database: 'clockodo' }),
      destinationKey({ url: 'http://127.0.0.1:8123', database: 'clockodo_test' }),
    );
  });
});

describe('resourceWorkflowId', () => {
  it('names the destination and the resource', () => {
    assert.equal(
      resourceWorkflowId({ url: 'http://user:pw@127.0.0.1:8123', database: 'clockodo' }, 'entries'),
      'clockodo-sync/127.0.0.1:8123/clockodo/entries',
    );
  });

  it('is the same for two task queues writing to one destination', () => {
    const a = destinationOf(resolveVariables({ TEMPORAL_TASK_QUEUE: 'queue-a' }, NOW));
    const b = destinationOf(resolveVariables({ TEMPORAL_TASK_QUEUE: 'queue-b' }, NOW));
    assert.equal(resourceWorkflowId(a, 'entries'), resourceWorkflowId(b, 'entries'));
    assert.equal(resourceWorkflowId(a, 'entries'), 'clockodo-sync/127.0.0.1:8123/clockodo/entries');
  });

  it('is the same for two spellings of one server URL', () => {
    assert.equal(
      resourceWorkflowId({ url: 'https://CH.example.com:8443/', database: 'clockodo' }, 'projects'),
      resourceWorkflowId({ url: 'http://u:p@ch.example.com:8443', database: 'clockodo' }, 'projects'),
    );
  });

  it('differs between resources and between destinations', () => {
    const d = { url: 'http://127.0.0.1:8123', database: 'clockodo' };
    assert.notEqual(resourceWorkflowId(d, 'entries'), resourceWorkflowId(d, 'projects'));
    assert.notEqual(
      resourceWorkflowId(d, 'entries'),
      resourceWorkflowId({ ...d, database: 'other' }, 'entries'),
    );
  });

  it('names a part under its resource', () => {
    assert.equal(
      partWorkflowId('clockodo-sync/h:1/db/absences', '2024'),
      'clockodo-sync/h:1/db/absences/2024',
    );
  });
});

describe('destination ids from awkward URLs', () => {
  it('takes the host after the last @ (a password may hold one) and drops a query', () => {
    assert.equal(
      destinationKey({ url: 'http://user:p@ss@CH.example.com:8123/?x=1', database: 'db' }),
      'ch.example.com:8123/db',
    );
    assert.equal(
      destinationKey({ url: 'http://ch.example.com:8123?x=1', database: 'db' }),
      'ch.example.com:8123/db',
    );
  });

  it('destinationOf keeps credentials out of the request', () => {
    const vars = {
      ...resolveVariables({}),
      CLICKHOUSE_URL: 'https://u:secret@ch.example.com:8443',
      CLICKHOUSE_DATABASE: 'x',
    };
    assert.deepEqual(destinationOf(vars), { url: 'https://ch.example.com:8443', database: 'x' });
  });
});
