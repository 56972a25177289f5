// The orchestration benchmark's figures per page (medians over its rounds, with their range), as
// Markdown tables, and a paragraph saying what they show.
import type { NamespaceCounters } from './dev-server-probe';
import type { HistoryFigures } from './orchestration-history';
import { markdownTable, median } from './report-format';

export interface ShapeRun {
  shape: string;
  pages: number;
  wallMs: number;
  workerCpuMs: number;
  /** The Temporal server's CPU during the run, less its idle rate just before times the run's wall time. */
  serverCpuMs: number;
  serverIdleCpuMs: number;
  history: HistoryFigures;
  /** Activity heartbeats that reached the server (its RecordActivityTaskHeartbeat requests). */
  heartbeats: number;
  frontendRequests: number;
  /** Actions by the documented rule: the history's, plus the heartbeats. */
  actionsByRule: number;
  /** The server's own `action` counter over the run. */
  actionsCounted: number;
  /** The server's counters over the run, by kind: what the JSON output keeps. */
  counters: NamespaceCounters;
}

/** The page's work alone, in a loop: what every shape's figures include. */
export interface WorkRun {
  pages: number;
  wallMs: number;
  cpuMs: number;
}

const fixed = (x: number, digits: number) => (isFinite(x) ? x.toFixed(digits) : '–');

/** "3.12 (2.95–3.40)": the median and, over several rounds, the range. */
function spread(xs: number[], digits = 2): string {
  const m = fixed(median(xs), digits);
  if (xs.length < 2) return m;
  return `${m} (${fixed(Math.min(...xs), digits)}–${fixed(Math.max(...xs), digits)})`;
}

interface PerPage {
  wall: number[];
  orchestrationWall: number[];
  workerCpu: number[];
  orchestrationWorkerCpu: number[];
  serverCpu: number[];
  temporalCpu: number[];
}

function perPage(runs: ShapeRun[], work: WorkRun[]): PerPage {
  const workWall = median(work.map((w) => w.wallMs / w.pages));
  const workCpu = median(work.map((w) => w.cpuMs / w.pages));
  const each = (f: (r: ShapeRun) => number) => runs.map((r) => f(r) / r.pages);
  return {
    wall: each((r) => r.wallMs),
    orchestrationWall: each((r) => r.wallMs - workWall * r.pages),
    workerCpu: each((r) => r.workerCpuMs),
    orchestrationWorkerCpu: each((r) => r.workerCpuMs - workCpu * r.pages),
    serverCpu: each((r) => r.serverCpuMs),
    temporalCpu: each((r) => r.workerCpuMs - workCpu * r.pages + r.serverCpuMs),
  };
}

export function report(byShape: Map<string, ShapeRun[]>, work: WorkRun[], server: string): string[] {
  const rounds = Math.max(...[...byShape.values()].map((r) => r.length));
  const pages = [...byShape.values()][0]?.[0]?.pages ?? 0;
  const workWall = work.map((w) => w.wallMs / w.pages);
  const workCpu = work.map((w) => w.cpuMs / w.pages);
  const timing = markdownTable(
    [
      'shape',
      'wall',
      'wall − work',
      'worker CPU',
      'worker CPU − work',
      'server CPU',
      'Temporal CPU (worker − work + server)',
    ],
    [
      ['the work alone (a loop)', spread(workWall), '0', spread(workCpu), '0', '0', '0'],
      ...[...byShape].map(([shape, runs]) => {
        const p = perPage(runs, work);
        return [
          shape,
          spread(p.wall),
          spread(p.orchestrationWall),
          spread(p.workerCpu),
          spread(p.orchestrationWorkerCpu),
          spread(p.serverCpu),
          spread(p.temporalCpu),
        ];
      }),
    ],
  );
  const counts = markdownTable(
    [
      'shape',
      'history events',
      'workflow tasks',
      'history bytes',
      'heartbeats sent',
      'frontend requests',
      'actions (rule)',
      'actions (server counter)',
    ],
    [...byShape].map(([shape, runs]) => {
      const per = (f: (r: ShapeRun) => number, digits = 3) =>
        spread(
          runs.map((r) => f(r) / r.pages),
          digits,
        );
      return [
        shape,
        per((r) => r.history.events),
        per((r) => r.history.workflowTasks),
        per((r) => r.history.bytes, 0),
        per((r) => r.heartbeats),
        per((r) => r.frontendRequests, 2),
        per((r) => r.actionsByRule),
        per((r) => r.actionsCounted),
      ];
    }),
  );
  return [
    `Per page, ms: median (min–max) of ${rounds} round${rounds === 1 ? '' : 's'} of ${pages} pages each, on ${server}.`,
    '"− work": less the same work done in a plain loop; server CPU: less its load from others (its rate before and after).',
    '',
    ...timing,
    '',
    `Per page: counts over each run of ${pages} pages, divided by ${pages}.`,
    '',
    ...counts,
    '',
    ...wrap(conclusion(byShape, work), 110),
  ];
}

/** A paragraph as lines of at most `width` characters (Markdown joins them again). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

/** What the figures say, from the medians: which shape costs Temporal least, and by how much. */
function conclusion(byShape: Map<string, ShapeRun[]>, work: WorkRun[]): string {
  const rows = [...byShape].map(([shape, runs]) => {
    const p = perPage(runs, work);
    const per = (f: (r: ShapeRun) => number) => median(runs.map((r) => f(r) / r.pages));
    return {
      shape,
      cpu: median(p.temporalCpu),
      wall: median(p.orchestrationWall),
      actions: per((r) => r.actionsCounted),
      events: per((r) => r.history.events),
    };
  });
  if (rows.length === 0) return '';
  type Row = (typeof rows)[number];
  const times = (x: number, y: number) => (y > 0 ? `${(x / y).toFixed(1)}x` : 'n/a');
  /** "A is cheapest in X (v): B 3.0x, C 8.0x" */
  const rank = (what: string, f: (r: Row) => number, digits: number) => {
    const [best, ...others] = [...rows].sort((a, b) => f(a) - f(b));
    return (
      `the least ${what} is ${best.shape}'s (${fixed(f(best), digits)}; ` +
      others.map((o) => `${o.shape} ${fixed(f(o), digits)}, ${times(f(o), f(best))}`).join('; ') +
      ')'
    );
  };
  const workMs = median(work.map((w) => w.cpuMs / w.pages));
  // A workflow task that timed out throws away the local activities it ran: they run again.
  const lost = [...byShape]
    .map(([shape, runs]) => ({
      shape,
      runs: runs.length,
      lost: runs.filter((r) => r.history.workflowTasksLost > 0),
    }))
    .filter((l) => l.lost.length > 0)
    .map(
      (l) =>
        `in ${l.lost.length} of ${l.runs} runs of ${l.shape} a workflow task timed out and its work ran again`,
    );
  return (
    `What the numbers say, per page (medians; the page's own work is ${fixed(workMs, 2)} ms of CPU): ` +
    `${rank('Temporal CPU in ms', (r) => r.cpu, 2)}; ${rank('wall time beyond the work in ms', (r) => r.wall, 2)}; ` +
    `${rank('billable actions', (r) => r.actions, 3)}; ${rank('history events', (r) => r.events, 2)}. ` +
    (lost.length > 0 ? `Note: ${lost.join('; ')}. ` : '') +
    'Not measured here, and part of the choice: a local activity runs inside a workflow task that stays open ' +
    'meanwhile (queries, updates and cancellation wait for it) and must end or be heartbeated within its 10 s ' +
    'timeout; it has no heartbeat of its own; a worker crash runs again the pages since the last completed ' +
    'workflow task; and a page per local activity must write its own rows (a ClickHouse part per page), where ' +
    'a page run inserts 10,000 records at a time and resumes from its last heartbeat.'
  );
}
