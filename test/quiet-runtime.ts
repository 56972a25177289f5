// Imported by tests before anything creates the Temporal runtime, installs it once for the whole
// test process with a quiet logger: failing activities are what several tests provoke, and replaying
// a change that cannot replay fails workflow tasks on purpose; their warnings would only be noise.
// E2E_LOG_LEVEL=WARN shows the warnings when a test needs debugging.
import { DefaultLogger, Runtime } from '@temporalio/worker';

const level = process.env.E2E_LOG_LEVEL === 'WARN' ? 'WARN' : 'ERROR';
Runtime.install({
  logger: new DefaultLogger(level),
  // The SDK core's retry warnings (tests restart servers on purpose) through the same quiet logger.
  telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
});
