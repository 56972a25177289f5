// Every workflow type the worker runs. The worker bundles this file (and only what it imports).
export { syncWorkflow, syncProgressQuery } from './sync';
export { syncResourceWorkflow, resourceProgressQuery } from './sync-resource';
export { readPartWorkflow } from './read-part';
export { changesWorkflow, changesStateQuery, webhookEventsSignal } from './changes';
