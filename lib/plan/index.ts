export * from './gcp-plan';
export * from './external-secrets-values';
export * from './azure-plan';
export * from './monitoring-plan';
export * from './shards';
