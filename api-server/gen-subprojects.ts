// Subprojects (SDK subproject.ts): about a quarter of the projects are split into one to three parts; the
// others have none. Each references an existing project and follows it (an inactive project's parts are
// inactive, a completed project's parts are completed).
import { byId, idPool, MAX_INT32 } from './ids';
import { Rng } from './random';
import { DAY, formatDate, formatDateTime, HOUR, startOfYear } from './time';
import { Project, Subproject, SubprojectBudget } from './types';
import { NOTE_SENTENCES, SUBPROJECT_NAMES } from './vocabulary';

const THRESHOLDS: readonly number[][] = [[], [80], [50, 80, 100], [90, 110, 150]];

export function generateSubprojects(
  rng: Rng,
  projects: Project[],
  years: number[],
  nowMs: number,
): Subproject[] {
  const firstMs = startOfYear(years[0]);
  const rows: Omit<Subproject, 'id'>[] = [];
  for (const project of [...projects].sort(byId)) {
    if (!rng.chance(0.25)) continue;
    const names = rng.shuffle([...SUBPROJECT_NAMES]).slice(0, rng.int(1, 3));
    names.forEach((name, k) => rows.push(subprojectOf(rng, project, name, k, { firstMs, nowMs })));
  }
  const ids = idPool(rng, rows.length, 120000, rows.length >= 4 ? [MAX_INT32 - 800] : []);
  return rows.map((r, i) => ({ id: ids[i], ...r })).sort(byId);
}

function subprojectOf(
  rng: Rng,
  project: Project,
  name: string,
  index: number,
  range: { firstMs: number; nowMs: number },
): Omit<Subproject, 'id'> {
  const startMs = rng.chance(0.6) ? range.firstMs + rng.int(0, 600) * DAY : null;
  const completed = project.completed || rng.chance(0.15);
  const billedMoney = rng.chance(0.2) ? rng.money(200, 15000) : null;
  return {
    projects_id: project.id,
    name,
    number: rng.weighted<string | null>([
      [null, 40],
      ['', 5],
      [`${project.number || 'P'}-${index + 1}`, 55],
    ]),
    note: rng.chance(0.3) ? rng.pick(NOTE_SENTENCES) : rng.chance(0.1) ? '' : null,
    budget: rng.chance(0.4) ? budgetOf(rng) : null,
    billed_money: billedMoney,
    billed_completely: billedMoney === null ? null : rng.chance(0.5),
    billable_default: rng.chance(0.8) ? project.billable_default : !project.billable_default,
    completed,
    completed_at: completed ? completedAt(rng, startMs ?? range.firstMs, range.nowMs) : null,
    revenue_factor: rng.chance(0.1) ? rng.pick([0.8, 1.25, 1.5]) : null,
    start_date: startMs === null ? null : formatDate(startMs),
    deadline: startMs !== null && rng.chance(0.5) ? formatDate(startMs + rng.int(30, 300) * DAY) : null,
    active: project.active && rng.chance(0.92),
  };
}

function budgetOf(rng: Rng): SubprojectBudget {
  const monetary = rng.chance(0.6);
  const amount = rng.chance(0.05) ? null : monetary ? rng.money(500, 20000) : rng.int(10, 200);
  return { monetary, hard: rng.chance(0.3), amount, notification_thresholds: [...rng.pick(THRESHOLDS)] };
}

/** A moment between `sinceMs` and now (now when `sinceMs` lies ahead), on a working hour. */
function completedAt(rng: Rng, sinceMs: number, nowMs: number): string {
  if (sinceMs >= nowMs) return formatDateTime(nowMs);
  const days = Math.floor((nowMs - sinceMs) / DAY);
  return formatDateTime(Math.min(nowMs, sinceMs + rng.int(0, days) * DAY + rng.int(8, 18) * HOUR));
}
