// The receiver's counters, served as Prometheus text on GET /metrics: events received per resource,
// requests rejected per reason, events ignored and coalesced, and the signals sent to Temporal.
export type RejectReason = 'token' | 'too_large' | 'malformed' | 'method' | 'path' | 'timeout';

export class WebhookMetrics {
  readonly received = new Map<string, number>();
  readonly rejected = new Map<RejectReason, number>();
  ignored = 0;
  /** Events that travelled in another event's entry of a signal sent (events sent minus entries). */
  coalesced = 0;
  validations = 0;
  signalsSent = 0;
  signalsFailed = 0;

  countReceived(resource: string, n: number): void {
    this.received.set(resource, (this.received.get(resource) ?? 0) + n);
  }

  countRejected(reason: RejectReason): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  get rejectedTotal(): number {
    return [...this.rejected.values()].reduce((a, b) => a + b, 0);
  }

  prometheus(): string {
    const lines: string[] = [];
    const counter = (name: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, v] of samples) lines.push(`${name}${labels} ${v}`);
    };
    counter(
      'clockodo_webhook_events_received_total',
      'Webhook events accepted, per resource they change.',
      [...this.received].map(([r, n]) => [`{resource="${r}"}`, n]),
    );
    counter(
      'clockodo_webhook_requests_rejected_total',
      'Requests refused, per reason (token, too_large, malformed, method, path, timeout).',
      [...this.rejected].map(([r, n]) => [`{reason="${r}"}`, n]),
    );
    counter('clockodo_webhook_events_ignored_total', 'Events of no configured resource, or unknown.', [
      ['', this.ignored],
    ]);
    counter(
      'clockodo_webhook_events_coalesced_total',
      'Events sent in the signal entry of an earlier event of their resource.',
      [['', this.coalesced]],
    );
    counter('clockodo_webhook_validations_total', "Clockodo's validation requests answered.", [
      ['', this.validations],
    ]);
    counter('clockodo_webhook_signals_total', 'Signals to the changes workflow, per outcome.', [
      ['{outcome="sent"}', this.signalsSent],
      ['{outcome="failed"}', this.signalsFailed],
    ]);
    return `${lines.join('\n')}\n`;
  }
}
