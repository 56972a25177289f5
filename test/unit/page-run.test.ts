// The page run's loop (activities/page-run.ts) over a list in memory: pages in order with several in
// flight, inserts of at least the threshold written before the heartbeat that records them, the
// budget, and the failure's details that say where the read stands.
import { strict as assert } from 'assert';
import { ApplicationFailure } from '@temporalio/common';
import { PageRunIo, runPages } from '../../activities/page-run';
import type { PreparedPage } from '../../activities/fetch-page';
import { startOfRead } from '../../domain/paging';
import { resumePointOf } from '../../domain/page-runs';
import type { PageRunHeartbeat, PageRunResult } from '../../domain/types';

const PER_PAGE = 10;

/** A list of `pages` pages of PER_PAGE records; `fail` makes a page's request fail. */
function list(pages: number, fail: (page: number) => Error | undefined = () => undefined) {
  const asked: number[] = [];
  const inserts: number[][] = [];
  const heartbeats: PageRunHeartbeat[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let clock = 0;
  const io: PageRunIo = {
    prepare: async (page) => {
      asked.push(page);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, page % 3)); // answers out of order
      inFlight--;
      const error = fail(page);
      if (error) throw error;
      const records = page <= pages ? PER_PAGE : 0;
      return {
        result: {
          page,
          records,
          written: records,
          unchanged: 0,
          stale: 0,
          quarantined: 0,
          shapeWarnings: 0,
          retries: 0,
          countPages: pages,
          countItems: pages * PER_PAGE,
          last: page >= pages,
          complete: true,
          lastReason: 'last page',
          fingerprint: `p${page}`,
        },
        rows: [],
        seen: [],
        quarantined: [],
        observedMs: 0,
      } satisfies PreparedPage;
    },
    write: (written) => {
      inserts.push(written.map((p) => p.result.page));
      return Promise.resolve();
    },
    progress: (d) => heartbeats.push(d),
    seen: () => Promise.resolve({ ids: pages * PER_PAGE, records: pages * PER_PAGE }),
    now: () => (clock += 1000),
  };
  return { io, asked, inserts, heartbeats, maxInFlight: () => maxInFlight };
}

const plan = { concurrency: 3, budget: { records: 1_000_000, seconds: 3600 }, insertRecords: 35 };

describe('runPages (a page run)', () => {
  it('reads page 1 alone, then up to `concurrency` at once, and writes in inserts of the threshold or more', async () => {
    const l = list(10);
    const result: PageRunResult = await runPages(l.io, { ...plan, from: startOfRead() });

    assert.equal(l.asked[0], 1);
    assert.deepEqual(
      [...l.asked].sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.equal(l.maxInFlight(), 3);
    // 35 records: an insert after every 4 pages (40 records), and the rest at the end.
    assert.deepEqual(l.inserts, [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
    ]);
    assert.equal(result.done, true);
    assert.equal(result.progress.nextPage, 11);
    assert.equal(result.progress.facts.records, 100);
    assert.deepEqual(result.seen, { ids: 100, records: 100 });
  });

  it('heartbeats after every page, recording as written only what an insert wrote', async () => {
    const l = list(6);
    await runPages(l.io, { ...plan, from: startOfRead() });
    assert.deepEqual(
      l.heartbeats.map((h) => [h.readThrough, h.written.nextPage]),
      [
        [1, 1],
        [2, 1],
        [3, 1],
        [4, 5],
        [5, 5],
        [6, 7],
      ],
    );
  });

  it('ends at its budget, written up to where it stopped, for the next run to go on', async () => {
    const l = list(20);
    const first = await runPages(l.io, {
      ...plan,
      budget: { records: 50, seconds: 3600 },
      from: startOfRead(),
    });
    assert.equal(first.done, false);
    assert.equal(first.seen, undefined);
    const stop = first.progress.nextPage;
    assert.ok(stop > 5 && stop <= 8, `stopped at ${stop}: the budget, plus the pages in flight`);
    assert.equal(l.inserts.flat().length, stop - 1, 'every page read is written');

    const rest = await runPages(l.io, { ...plan, from: first.progress });
    assert.equal(rest.done, true);
    assert.equal(rest.progress.facts.records, 200);
    assert.deepEqual(
      l.inserts.flat(),
      Array.from({ length: 20 }, (_, i) => i + 1),
      'each page written once',
    );
  });

  it('fails after writing the pages before the failed one, saying where the read stands', async () => {
    const l = list(10, (p) => (p === 6 ? ApplicationFailure.retryable('HTTP 503', 'HttpError') : undefined));
    const err = await runPages(l.io, { ...plan, from: startOfRead(), attempt: 2 }).then(
      () => assert.fail('the run should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, 'HttpError');
    assert.equal(err.nonRetryable, false);
    const at = resumePointOf(err.details);
    assert.equal(at?.resumeAt.nextPage, 6);
    assert.equal(at?.attemptsAtPage, 1);
    assert.deepEqual(l.inserts.flat(), [1, 2, 3, 4, 5]);
    const last = l.heartbeats[l.heartbeats.length - 1];
    assert.deepEqual(last.failing, { page: 6, sinceAttempt: 2 });
  });

  it('counts the attempts that failed at one page in a row (the heartbeat carries them over)', async () => {
    const l = list(10, (p) => (p === 6 ? new Error('socket hang up') : undefined));
    const from = { ...startOfRead(), nextPage: 6, known: 10 };
    const err = await runPages(l.io, {
      ...plan,
      from,
      attempt: 4,
      failing: { page: 6, sinceAttempt: 2 },
    }).then(
      () => assert.fail('the run should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, 'Error');
    assert.equal(resumePointOf(err.details)?.attemptsAtPage, 3);
  });

  it('marks its last heartbeat done, and a retry after it reads no page past the last', async () => {
    const l = list(3);
    const first = await runPages(l.io, { ...plan, from: startOfRead() });
    const last = l.heartbeats[l.heartbeats.length - 1];
    assert.equal(last.done, true);
    assert.deepEqual(last.written, first.progress);
    // The worker died after that heartbeat: the retry starts from it.
    const asked = l.asked.length;
    const retry = await runPages(l.io, { ...plan, from: last.written, done: true, attempt: 2 });
    assert.equal(l.asked.length, asked, 'no page asked again');
    assert.equal(retry.done, true);
    assert.equal(retry.progress.facts.records, 30);
    assert.deepEqual(retry.seen, { ids: 30, records: 30 });
  });

  it('fails at once, writing nothing more, when the server repeats a page', async () => {
    const l = list(10);
    const prepare = l.io.prepare.bind(l.io);
    l.io.prepare = async (page) => {
      const p = await prepare(page);
      return page === 3 ? { ...p, result: { ...p.result, fingerprint: 'p2' } } : p;
    };
    await assert.rejects(runPages(l.io, { ...plan, from: startOfRead() }), (e: unknown) => {
      assert.ok(e instanceof ApplicationFailure);
      assert.equal(e.type, 'PagingRepeats');
      assert.equal(e.nonRetryable, true);
      return true;
    });
    assert.deepEqual(l.inserts, []);
  });
});
