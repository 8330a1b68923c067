/** The plugin runtime's public surface: everything a data source implementation may import. */
export type * from './api';
export { QueryError, ResourceError, type ErrorSource } from './errors';
export * from './frames';
export { createLogger, type Logger, type LogFields, type LogLevel } from './logger';
export { METRIC_PREFIX } from './metrics';
export { serve, startPluginServer, type PluginServer, type PluginServerOptions } from './server';
