// Imported by tests before anything creates the Temporal runtime, installs it once for the whole
// test process with a quiet logger: failing activities are what several tests provoke, and replaying
// a change that cannot replay fails workflow tasks on purpose; their warnings would only be noise.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({
  logger: new DefaultLogger('ERROR'),
  // The SDK core's retry warnings (tests restart servers on purpose) through the same quiet logger.
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
});
