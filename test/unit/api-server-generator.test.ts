// The generated dataset: deterministic, internally consistent, and carrying every awkward case.
import { strict as assert } from 'assert';
import { DEFAULT_SIZE, generateDataset, scaleSize } from '../../api-server/data-generator';
import { Dataset, DatasetSize, Entry, TimeEntry } from '../../api-server/types';

const NOW = new Date('2025-06-15T10:30:00Z');
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INT32_MAX = 2147483647;

const ms = (s: string): number => Date.parse(s);
const isRunning = (e: Entry): boolean => e.time_until === null;

/** Invariants that must hold for any size. */
function checkInvariants(d: Dataset, size: DatasetSize, now: Date): void {
  for (const [name, records] of Object.entries(d) as [string, { id: number }[]][]) {
    // Lists kept per year (user_reports, nonbusiness_days) and work_times are not lists of unique ids;
    // api-server-resources.test.ts checks them.
    if (!Array.isArray(records) || name === 'work_times') continue;
    const ids = records.map((r) => r.id);
    assert.ok(
      ids.every((id) => Number.isInteger(id) && id > 0 && id <= INT32_MAX),
      `${name}: ids positive int32`,
    );
    assert.equal(new Set(ids).size, ids.length, `${name}: ids unique`);
  }
  const customerIds = new Set(d.customers.map((c) => c.id));
  const projectById = new Map(d.projects.map((p) => [p.id, p]));
  for (const p of d.projects) {
    assert.ok(customerIds.has(p.customers_id), `project ${p.id} references a customer`);
    if (p.deadline !== null) assert.match(p.deadline, DATE);
  }
  for (const a of d.absences) {
    for (const v of [a.date_since, a.date_until, a.date_enquired, a.date_approved])
      if (v !== null) assert.match(v, DATE);
    assert.ok(a.date_since <= a.date_until, `absence ${a.id} since <= until`);
    assert.ok(a.status >= 0 && a.status <= 4 && a.type >= 1 && a.type <= 15);
  }
  const lower = Date.UTC(Math.min(...size.years), 0, 1);
  for (const e of d.entries) {
    for (const v of [e.time_since, e.time_until, e.time_insert, e.time_last_change])
      if (v !== null) assert.match(v, DATETIME);
    assert.ok(customerIds.has(e.customers_id), `entry ${e.id} customer exists`);
    if (e.projects_id !== null) {
      const project = projectById.get(e.projects_id);
      assert.ok(project, `entry ${e.id} project exists`);
      assert.equal(project.customers_id, e.customers_id, `entry ${e.id} customer matches project`);
    }
    assert.ok(e.time_insert <= e.time_last_change, `entry ${e.id} insert <= last change`);
    assert.ok(ms(e.time_last_change) <= now.getTime(), `entry ${e.id} last change <= now`);
    assert.ok(ms(e.time_since) >= lower && ms(e.time_since) <= now.getTime(), `entry ${e.id} since in range`);
    assert.ok([0, 1, 2].includes(e.billable));
    if (e.time_until !== null) {
      assert.ok(e.time_since < e.time_until, `entry ${e.id} since < until`);
      assert.ok(ms(e.time_until) <= now.getTime(), `entry ${e.id} finished by now`);
    }
    if (e.type === 1) {
      assert.match(e.time_last_change_work_time, DATETIME);
      if (e.time_clocked_since !== null) assert.match(e.time_clocked_since, DATETIME);
      if (e.time_until === null) {
        assert.equal(e.duration, null);
        assert.equal(e.clocked, true);
      } else {
        const seconds = (ms(e.time_until) - ms(e.time_since)) / 1000;
        assert.equal(e.duration, seconds - e.offset, `entry ${e.id} duration`);
      }
    } else {
      assert.notEqual(e.time_until, null, 'lump sums are never running');
    }
  }
}

describe('api-server data generator', () => {
  const size = DEFAULT_SIZE(NOW);
  const d = generateDataset(42, size, NOW);

  it('has the default counts', () => {
    assert.deepEqual(size.years, [2023, 2024, 2025]);
    assert.equal(d.customers.length, 40);
    assert.equal(d.projects.length, 150);
    assert.equal(d.absences.length, 60 * 3);
    assert.equal(d.entries.length, 6000);
    assert.equal(
      new Set([...d.entries.map((e) => e.users_id), ...d.absences.map((a) => a.users_id)]).size,
      12,
    );
  });

  it('is deterministic for the same seed, size and now', () => {
    assert.equal(JSON.stringify(generateDataset(42, size, NOW)), JSON.stringify(d));
    assert.notDeepEqual(generateDataset(43, size, NOW), d);
  });

  it('keeps every invariant at default size', () => {
    checkInvariants(d, size, NOW);
  });

  it('has ids with gaps, near 2^31, and unrelated to time order', () => {
    for (const records of [d.customers, d.projects, d.absences, d.entries] as { id: number }[][]) {
      const ids = records.map((r) => r.id).sort((a, b) => a - b);
      assert.ok(ids[ids.length - 1] - ids[0] + 1 > ids.length, 'gaps');
      assert.ok(
        ids.some((id) => id > 2_000_000_000),
        'an id near 2^31',
      );
    }
    const byTime = [...d.entries].sort((a, b) => a.time_since.localeCompare(b.time_since) || a.id - b.id);
    const ascending = byTime.every((e, i) => i === 0 || byTime[i - 1].id < e.id);
    assert.ok(!ascending, 'id order differs from time order');
  });

  it('has nulls in every nullable field', () => {
    const nullable: [string, Record<string, unknown>[], string[]][] = [
      ['customers', d.customers as unknown as Record<string, unknown>[], ['number', 'note']],
      [
        'projects',
        d.projects as unknown as Record<string, unknown>[],
        ['number', 'note', 'budget_money', 'billed_money', 'billed_completely', 'revenue_factor', 'deadline'],
      ],
      [
        'absences',
        d.absences as unknown as Record<string, unknown>[],
        ['note', 'count_hours', 'sick_note', 'date_enquired', 'date_approved', 'approved_by'],
      ],
      [
        'entries',
        d.entries as unknown as Record<string, unknown>[],
        ['projects_id', 'texts_id', 'text', 'time_until', 'duration', 'time_clocked_since'],
      ],
    ];
    for (const [name, records, fields] of nullable) {
      for (const field of fields) {
        assert.ok(
          records.some((r) => r[field] === null),
          `${name}.${field} null somewhere`,
        );
        assert.ok(
          records.some((r) => r[field] !== null && r[field] !== undefined),
          `${name}.${field} set somewhere`,
        );
      }
    }
  });

  it('has awkward unicode and control characters in names, notes and texts', () => {
    const all = [
      ...d.customers.flatMap((c) => [c.name, c.note]),
      ...d.projects.flatMap((p) => [p.name, p.note]),
      ...d.absences.map((a) => a.note),
      ...d.entries.map((e) => e.text),
    ].join('|');
    const checks: [string, RegExp][] = [
      ['umlaut', /[äöüÄÖÜ]/],
      ['ß', /ß/],
      ['emoji', /\p{Extended_Pictographic}/u],
      ['CJK', /\p{Script=Han}/u],
      ['right-to-left', /[\p{Script=Arabic}\p{Script=Hebrew}]/u],
      ['double quote', /"/],
      ['single quote', /'/],
      ['backslash', /\\/],
      ['newline', /\n/],
      ['tab', /\t/],
    ];
    for (const [what, re] of checks) assert.match(all, re, what);
    const customerNames = d.customers.map((c) => c.name).join('|');
    assert.match(customerNames, /\p{Script=Han}/u);
    assert.match(customerNames, /\p{Script=Arabic}/u);
    assert.match(d.entries.map((e) => e.text).join('|'), /\p{Extended_Pictographic}/u);
  });

  it('distinguishes empty strings from null', () => {
    assert.ok(d.customers.some((c) => c.note === '') && d.customers.some((c) => c.note === null));
    assert.ok(d.customers.some((c) => c.number === ''));
    assert.ok(d.projects.some((p) => p.number === '') && d.projects.some((p) => p.note === ''));
    assert.ok(d.entries.some((e) => e.text === '') && d.entries.some((e) => e.text === null));
    assert.ok(d.absences.some((a) => a.note === ''));
  });

  it('has entries of all three types and all billable values', () => {
    for (const type of [1, 2, 3])
      assert.ok(
        d.entries.some((e) => e.type === type),
        `type ${type}`,
      );
    for (const b of [0, 1, 2])
      assert.ok(
        d.entries.some((e) => e.billable === b),
        `billable ${b}`,
      );
    const t2 = d.entries.find((e) => e.type === 2);
    const t3 = d.entries.find((e) => e.type === 3);
    assert.ok(t2 && 'lumpsum' in t2 && 'services_id' in t2 && !('duration' in t2));
    assert.ok(t3 && 'lumpsum_services_id' in t3 && 'lumpsum_services_amount' in t3 && !('services_id' in t3));
  });

  it('has at least two running entries started shortly before now', () => {
    const running = d.entries.filter(isRunning) as TimeEntry[];
    assert.ok(running.length >= 2);
    for (const e of running) {
      assert.equal(e.type, 1);
      assert.equal(e.duration, null);
      assert.equal(e.clocked, true);
      assert.equal(e.time_clocked_since, e.time_since);
      const age = NOW.getTime() - ms(e.time_since);
      assert.ok(age > 0 && age < 6 * 3600 * 1000, `running entry started ${age} ms ago`);
    }
    assert.equal(new Set(running.map((e) => e.users_id)).size, running.length, 'one running clock per user');
  });

  it('has several groups of entries sharing one time_since second', () => {
    const counts = new Map<string, number>();
    for (const e of d.entries) counts.set(e.time_since, (counts.get(e.time_since) ?? 0) + 1);
    const groups = [...counts.values()].filter((n) => n >= 3);
    assert.ok(groups.length >= 3, `groups of >= 3: ${groups.length}`);
  });

  it('has entries on year boundaries and at the last second of a year', () => {
    for (const year of size.years) {
      assert.ok(
        d.entries.some((e) => e.time_since === `${year}-01-01T00:00:00Z`),
        `Jan 1 ${year}`,
      );
    }
    for (const year of [2023, 2024]) {
      assert.ok(
        d.entries.some((e) => e.time_since === `${year}-12-31T23:59:59Z`),
        `Dec 31 ${year}`,
      );
    }
  });

  it('has inactive customers and projects, deadlines and awkward numbers', () => {
    assert.ok(d.customers.some((c) => !c.active) && d.customers.some((c) => c.active));
    assert.ok(d.projects.some((p) => !p.active) && d.projects.some((p) => p.active));
    assert.ok(d.projects.some((p) => p.deadline !== null));
    assert.ok(d.projects.some((p) => p.budget_money === 1234.56));
    assert.ok(d.projects.some((p) => p.revenue_factor === 1.25));
    assert.ok(d.absences.some((a) => a.count_days === 0.5));
    assert.ok(d.entries.some((e) => e.type === 2 && e.lumpsum === 12.34));
  });

  it('has absences spanning a year boundary, every status and every type', () => {
    for (const year of [2023, 2024]) {
      assert.ok(
        d.absences.some(
          (a) => a.date_since.startsWith(`${year}-12`) && a.date_until.startsWith(`${year + 1}-01`),
        ),
        `absence spanning ${year}/${year + 1}`,
      );
    }
    for (let s = 0; s <= 4; s++)
      assert.ok(
        d.absences.some((a) => a.status === s),
        `status ${s}`,
      );
    for (let t = 1; t <= 15; t++)
      assert.ok(
        d.absences.some((a) => a.type === t),
        `type ${t}`,
      );
  });

  it('keeps invariants and the most important cases in a small dataset', () => {
    const small: DatasetSize = {
      customers: 3,
      projects: 4,
      absencesPerYear: 2,
      entries: 12,
      users: 2,
      years: [2024, 2025],
    };
    const s = generateDataset(1, small, NOW);
    assert.equal(s.entries.length, 12);
    assert.equal(s.absences.length, 4);
    checkInvariants(s, small, NOW);
    assert.ok(s.entries.filter(isRunning).length >= 2);
    for (const type of [1, 2, 3]) assert.ok(s.entries.some((e) => e.type === type));
    assert.ok(s.customers.some((c) => !c.active) && s.customers.some((c) => c.note === null));
  });

  it('works with the real current time and scaled sizes', () => {
    const now = new Date();
    const scaled = scaleSize(DEFAULT_SIZE(now), 0.1);
    assert.deepEqual(
      [scaled.customers, scaled.projects, scaled.absencesPerYear, scaled.entries, scaled.users],
      [4, 15, 6, 600, 1],
    );
    const size2 = { ...scaled, users: 3 };
    checkInvariants(generateDataset(99, size2, now), size2, now);
  });
});
