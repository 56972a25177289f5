// What a page run (one activity reading many pages of a read, activities/page-run.ts) and the workflow
// that schedules it agree on: its budget, where a failed run says its read stands, and its heartbeat.
import type { PageRunBudget, PageRunHeartbeat, ReadProgress } from './types';

/**
 * A run reads until 50,000 records or 30 s, then the workflow schedules the next: few activities per
 * read (each costs the Temporal server a few round trips), and a cancelled or paused read waits for
 * at most one run. Durability does not depend on it: heartbeats record each written page.
 */
export const PAGE_RUN_BUDGET: PageRunBudget = { records: 50_000, seconds: 30 };

/** The failure's details of a failed run: what it wrote, so that the next run starts there. */
export interface ResumeAt {
  resumeAt: ReadProgress;
  /** Attempts that failed at that page in a row (the run's last attempts). */
  attemptsAtPage: number;
}

function isProgress(p: unknown): p is ReadProgress {
  const o = p as Partial<ReadProgress> | undefined;
  return typeof o?.nextPage === 'number' && typeof o.known === 'number' && typeof o.facts === 'object';
}

/** Where a failed page run's read stood, from its failure's details (undefined if it did not say). */
export function resumePointOf(details: readonly unknown[] | null | undefined): ResumeAt | undefined {
  const first = details?.[0] as Partial<ResumeAt> | undefined;
  if (!isProgress(first?.resumeAt)) return undefined;
  return { resumeAt: first.resumeAt, attemptsAtPage: Number(first.attemptsAtPage ?? 1) };
}

/** What the previous attempt's last heartbeat says: the read as written, and a page that failed. */
export function resumedFrom(heartbeat: unknown): Omit<PageRunHeartbeat, 'readThrough'> | undefined {
  const h = heartbeat as Partial<PageRunHeartbeat> | undefined;
  if (!isProgress(h?.written)) return undefined;
  return {
    written: h.written,
    ...(h.failing ? { failing: h.failing } : {}),
    ...(h.done ? { done: true } : {}),
  };
}
