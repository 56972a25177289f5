// The benchmark's measurements as data: what main.ts collects, .services/bench-results.json keeps,
// and the report renders (also from an older file: what it lacks is optional).
import type { Diff } from '../../test/e2e/compare';
import type { MemoryPeak } from './memory-sampler';
import type { PartsCreated } from './parts-created';
import type { RunSteps } from './run-steps';
import type { BenchSize, SizeName } from './sizes';
import type { TemporalActions } from './temporal-actions';
import type { TemporalCost } from './temporal-overhead';

export interface ServerCost {
  requests: number;
  servingMs: number;
  cpuMs: number;
}

export interface Run {
  seconds: number;
  server: ServerCost;
  pages: number;
  /** CPU seconds per process during the load. */
  cpu: Record<string, number>;
  /** The worker's memory during the load (pipeline loads). */
  memory?: MemoryPeak;
  /** The ClickHouse parts the load created. */
  parts?: PartsCreated;
}

export interface IncrementalRun extends Run {
  changed: number;
}

/** What the histories of a pipeline's first full sync and the incremental run after it say. */
export interface RunHistories {
  full: { actions: TemporalActions; steps: RunSteps };
  incremental?: { actions: TemporalActions; steps: RunSteps };
}

/** One configuration of the pipeline at one size: its full syncs and incremental runs. */
export interface PipelineResult {
  pipeline: Run[];
  incremental: IncrementalRun[];
  temporal?: TemporalCost;
  histories?: RunHistories;
}

/** `--all-resources`: the pipeline on every resource of the default configuration. */
export interface AllResourcesResult extends PipelineResult {
  counts: Record<string, number>;
}

export interface SizeResult extends PipelineResult {
  size: SizeName;
  spec: BenchSize;
  /** Records served per resource (the seed's four). */
  counts: Record<string, number>;
  raw: Run[];
  plain?: Run[];
  dlt: Run[];
  checks: { what: string; diff: Diff }[];
  allResources?: AllResourcesResult;
  /** The worker's peak RSS over its whole life (start-up and every load), MB. */
  workerPeakMb?: number;
  apiPeakMb?: number;
  dltVersion?: string;
}

export interface BenchReport {
  date: Date;
  args: string[];
  runs: number;
  results: SizeResult[];
  clickhouseVersion: string;
}
