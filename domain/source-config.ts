// The engine's input: a declarative REST source in the seed's vocabulary (client, resource_defaults,
// resources[] with endpoint.path, data_selector, paginator, partition_router, incremental_sync), and
// dlt's for the paginator. The types are inferred from the schema (domain/source-config-schema.ts);
// workflow code imports only them, so zod never enters the workflow bundle.
import type { z } from 'zod';
import type {
  authSchema,
  clientSchema,
  columnSpecSchema,
  endpointSchema,
  incrementalSyncSchema,
  nestedPathSchema,
  paginatorSchema,
  partitionRouterSchema,
  resourceSchema,
  retrySchema,
  sourceConfigSchema,
} from './source-config-schema';

/** Column types a resource may declare; `?` suffix (in JSON) makes a column nullable. */
export type ColumnKind = ColumnSpec['kind'];
export type NestedPath = z.output<typeof nestedPathSchema>;
export type ColumnSpec = z.output<typeof columnSpecSchema>;
export type AuthConfig = z.output<typeof authSchema>;
export type RetryConfig = z.output<typeof retrySchema>;
export type ClientConfig = z.output<typeof clientSchema>;
export type PaginatorConfig = z.output<typeof paginatorSchema>;
export type ListPartitionRouter = z.output<typeof partitionRouterSchema>;
export type DatetimeIncrementalSync = z.output<typeof incrementalSyncSchema>;
export type EndpointConfig = z.output<typeof endpointSchema>;
export type ResourceConfig = z.output<typeof resourceSchema>;
/** A validated configuration with every non-secret `${...}` reference resolved. */
export type SourceConfig = z.output<typeof sourceConfigSchema>;
