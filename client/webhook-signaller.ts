// Events from the receiver to the changes workflow. Events are gathered for a moment and sent as one
// signal-with-start, so a flood of requests becomes a few signals, and what waits is one entry per
// resource: memory stays bounded whatever the rate. When Temporal cannot be reached, the batch is
// kept and sent again with backoff; the schedules pick up changes meanwhile.
import type { Client } from '@temporalio/client';
import type { ChangesInput, ResourceEvents } from '../domain/changes';
import { changesWorkflowId, destinationKey } from '../domain/workflow-ids';
import { changesWorkflow, webhookEventsSignal } from '../workflows';
import type { WebhookMetrics } from './webhook-metrics';
import type { WebhookLog } from './webhook-receiver';

/** How long events gather before a signal goes (a burst of one edit's events travels together). */
export const FLUSH_MS = 100;
const MAX_BACKOFF_MS = 30_000;

export class ChangesSignaller {
  private pending = new Map<string, ResourceEvents>();
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private backoffMs = 0;
  private closed = false;

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly input: ChangesInput,
    private readonly metrics: WebhookMetrics,
    private readonly log: WebhookLog,
  ) {}

  get workflowId(): string {
    return changesWorkflowId(this.input.sync.destination);
  }

  /** Takes events; they are signalled within FLUSH_MS (later while Temporal is away). */
  add(events: ResourceEvents[]): void {
    for (const e of events) this.merge(e);
    this.schedule(FLUSH_MS);
  }

  /** Adds `e` to its resource's waiting entry, or makes one. */
  private merge(e: ResourceEvents): void {
    const had = this.pending.get(e.resource);
    this.pending.set(
      e.resource,
      had ? { ...e, count: had.count + e.count, at: Math.max(had.at, e.at) } : { ...e },
    );
  }

  /** Sends what waits now (tests, and shutdown). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.sending;
    if (this.pending.size) await this.send();
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.sending || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.send();
    }, delayMs);
  }

  private send(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.sending = this.client.workflow
      .signalWithStart(changesWorkflow, {
        workflowId: this.workflowId,
        taskQueue: this.taskQueue,
        args: [this.input],
        signal: webhookEventsSignal,
        signalArgs: [batch],
        staticSummary: `Clockodo webhook changes into ${destinationKey(this.input.sync.destination)}`,
      })
      .then(
        () => {
          this.metrics.signalsSent++;
          // Every event beyond the first of each entry travelled in another's: counted once, as sent.
          this.metrics.coalesced += batch.reduce((n, e) => n + e.count, 0) - batch.length;
          this.backoffMs = 0;
        },
        (err: unknown) => {
          this.metrics.signalsFailed++;
          // Put back, merged with what came meanwhile: nothing is lost while this process lives.
          const meanwhile = [...this.pending.values()];
          this.pending = new Map(batch.map((e) => [e.resource, e]));
          for (const e of meanwhile) this.merge(e);
          this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(1000, this.backoffMs * 2));
          this.log.warn('could not signal the changes workflow; trying again', {
            workflowId: this.workflowId,
            retryInMs: this.backoffMs,
            error: err instanceof Error ? err.message : String(err),
          });
        },
      )
      .finally(() => {
        this.sending = undefined;
        if (this.pending.size) this.schedule(this.backoffMs || FLUSH_MS);
      });
    return this.sending;
  }
}
