/**
 * Helm values of the External Secrets Operator chart. The chart ships its probes and its metrics
 * services off; a controller that hangs must be restarted by its liveness probe and be visible to
 * monitoring, so every component gets both.
 */
export const EXTERNAL_SECRETS_REPOSITORY = 'https://charts.external-secrets.io';
export const EXTERNAL_SECRETS_CHART = 'external-secrets';

export function externalSecretsValues(): Record<string, unknown> {
  return {
    installCRDs: true,
    // The core controller: /healthz (liveness) and /readyz (readiness) on its health server.
    livenessProbe: { enabled: true },
    readinessProbe: { enabled: true },
    metrics: { service: { enabled: true } },
    webhook: {
      livenessProbe: { enabled: true },
      readinessProbe: { enabled: true },
      metrics: { service: { enabled: true } },
    },
    certController: {
      livenessProbe: { enabled: true },
      readinessProbe: { enabled: true },
      metrics: { service: { enabled: true } },
    },
  };
}
