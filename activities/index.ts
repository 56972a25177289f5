// The activities a worker registers, bound to their dependencies (ClickHouse, secrets).
// Workflows import only the type of this object (`import type`), never the code.
import type { ClickHouseClient } from '@clickhouse/client';
import type { ResourceConfig } from '../config/source-config-types';
import type { MarkDeletionsRequest, PageRequest } from '../shared/types';
import { fetchPage } from './fetch-page';
import type { Secrets } from './http-client';
import { markDeletions } from './mark-deletions';
import { prepareDestination } from './prepare-destination';

export interface ActivityDeps {
  ch: ClickHouseClient;
  database: string;
  /** Variables holding secrets, read from the worker's environment; never from workflow input. */
  secrets: Secrets;
}

export function createActivities(deps: ActivityDeps) {
  return {
    prepareDestination: (resources: ResourceConfig[]) => prepareDestination(deps, resources),
    fetchPage: (req: PageRequest) => fetchPage(deps, req),
    markDeletions: (req: MarkDeletionsRequest) => markDeletions(deps, req),
  };
}

export type Activities = ReturnType<typeof createActivities>;
