/**
 * Helm values of the External Secrets Operator chart. The chart ships its probes and its metrics
 * services off; a controller that hangs must be restarted by its liveness probe and be visible to
 * monitoring, so every component gets both. It also ships no resource requests and one webhook
 * replica without a disruption budget: the webhook validates every SecretStore and ExternalSecret
 * change, so a node drain that takes its only pod blocks them all. The product's defaults:
 * requests for each component (the scheduler reserves them; no limits, which would throttle or kill
 * a controller under a burst of syncs), two webhook replicas and a budget that keeps one.
 */
export const EXTERNAL_SECRETS_RESOURCES = {
  controller: { requests: { cpu: '50m', memory: '128Mi' } },
  webhook: { requests: { cpu: '10m', memory: '32Mi' } },
  certController: { requests: { cpu: '10m', memory: '32Mi' } },
} as const;

/** Webhook pods, and how many a voluntary disruption (a node drain) must leave. */
export const EXTERNAL_SECRETS_WEBHOOK_REPLICAS = 2;
export const EXTERNAL_SECRETS_WEBHOOK_MIN_AVAILABLE = 1;
export const EXTERNAL_SECRETS_REPOSITORY = 'https://charts.external-secrets.io';
export const EXTERNAL_SECRETS_CHART = 'external-secrets';

export function externalSecretsValues(): Record<string, unknown> {
  return {
    installCRDs: true,
    // The core controller: /healthz (liveness) and /readyz (readiness) on its health server.
    livenessProbe: { enabled: true },
    readinessProbe: { enabled: true },
    metrics: { service: { enabled: true } },
    resources: EXTERNAL_SECRETS_RESOURCES.controller,
    webhook: {
      replicaCount: EXTERNAL_SECRETS_WEBHOOK_REPLICAS,
      podDisruptionBudget: { enabled: true, minAvailable: EXTERNAL_SECRETS_WEBHOOK_MIN_AVAILABLE },
      livenessProbe: { enabled: true },
      readinessProbe: { enabled: true },
      metrics: { service: { enabled: true } },
      resources: EXTERNAL_SECRETS_RESOURCES.webhook,
    },
    certController: {
      livenessProbe: { enabled: true },
      readinessProbe: { enabled: true },
      metrics: { service: { enabled: true } },
      resources: EXTERNAL_SECRETS_RESOURCES.certController,
    },
  };
}
