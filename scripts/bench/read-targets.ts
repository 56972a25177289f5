// What a loader without orchestration reads of a resource, as a first sync does: entries in the
// configured windows over the whole history, one read per partition value (a year), or the list once.
import type { ResourceConfig } from '../../domain/source-config';
import type { PageStop } from '../../domain/paging';
import type { ReadTarget } from '../../domain/types';
import { fullWindow, parseUtc, planSlices } from '../../domain/windows';

export function readTargets(resource: ResourceConfig, horizonDays: number, nowMs: number): ReadTarget[] {
  const { endpoint } = resource;
  const inc = endpoint.incremental_sync;
  if (inc) {
    const w = fullWindow(
      {
        startDatetime: inc.start_datetime,
        endDatetime: inc.end_datetime,
        lookbackDays: 0,
        horizonDays,
        cursorMarginMs: 0,
      },
      nowMs,
    );
    return planSlices(parseUtc(w.since), parseUtc(w.until), inc.slice_days).map((window) => ({ window }));
  }
  if (endpoint.partition_router) return endpoint.partition_router.values.map((partition) => ({ partition }));
  return [{}];
}

/** `--resources a,b` of a loader: those of the configuration (all when not given); unknown names fail. */
export function selectResources(all: ResourceConfig[], list: string | undefined): ResourceConfig[] {
  if (list === undefined) return all;
  const names = list.split(',').filter(Boolean);
  const unknown = names.filter((n) => !all.some((r) => r.name === n));
  if (unknown.length) throw new Error(`--resources: unknown ${unknown.join(', ')}`);
  return all.filter((r) => names.includes(r.name));
}

/**
 * Reads every part of every resource as a loader without orchestration does: page 1 of a part says
 * how many pages follow, and those are read at once, all within `run`'s bound of requests in flight.
 */
export async function loadAllParts(
  resources: ResourceConfig[],
  horizonDays: number,
  run: <T>(work: () => Promise<T>) => Promise<T>,
  loadPage: (resource: ResourceConfig, target: ReadTarget, page: number) => Promise<PageStop>,
): Promise<void> {
  const loadPart = async (resource: ResourceConfig, target: ReadTarget) => {
    const first = await run(() => loadPage(resource, target, 1));
    const count = first.last ? 1 : (first.countPages ?? 1);
    await Promise.all(
      Array.from({ length: count - 1 }, (_, i) => run(() => loadPage(resource, target, i + 2))),
    );
  };
  const now = Date.now();
  await Promise.all(
    resources.flatMap((resource) =>
      readTargets(resource, horizonDays, now).map((t) => loadPart(resource, t)),
    ),
  );
}
