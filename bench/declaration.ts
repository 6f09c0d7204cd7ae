/**
 * Declarations of a given size for the benchmark: `secrets` remote secrets in each of two
 * environments, spread over 50 services (half on GCP, half on Azure), Kubernetes Secrets of at
 * most 20 keys, and every tenth service reading a key of the previous one with `from`. Azure uses
 * the default layout, a Key Vault per service. Each environment is split into `shards` shard
 * stacks (none when 0).
 */
const GUID = '00000000-0000-0000-0000-000000000000';

export function benchDeclaration(secrets: number, services = 50, shards = 8): Record<string, unknown> {
  const environments: Record<string, unknown> = {};
  for (const [env, n] of [['evaluation', '111111111111'], ['production', '222222222222']] as const) {
    environments[env] = {
      gcp: { project: `bench-${env}`, projectNumber: n, clusters: [{ name: 'admin', location: 'asia-northeast1' }, { name: 'jobs', location: 'asia-northeast1' }] },
      azure: {
        tenantId: GUID,
        subscriptionId: GUID,
        location: 'japaneast',
        resourceGroup: `bench-${env}`,
        clusters: [{ name: 'aks-a' }, { name: 'aks-b' }],
        delivery: env === 'production' ? 'csi' : 'externalSecrets',
      },
      ...(shards > 0 ? { sharding: { shards, maxSecretsPerShard: 5000 } } : {}),
      ...(env === 'production' ? { suppressions: [{ rule: 'SW-VER-001', reason: 'benchmark services follow the latest versions' }] } : {}),
    };
  }
  const decl: Record<string, any> = { environments, services: {} };
  const per = Math.floor(secrets / services);
  const extra = secrets - per * services;
  for (let s = 0; s < services; s++) {
    const name = `svc-${String(s).padStart(3, '0')}`;
    const platform = s < services / 2 ? 'gcp' : 'azure';
    const count = per + (s < extra ? 1 : 0);
    const k8s: Record<string, Record<string, unknown>> = {};
    for (let k = 0; k < count; k++) {
      const secret = `secret-${String(Math.floor(k / 20)).padStart(3, '0')}`;
      (k8s[secret] ??= {})[`KEY_${String(k).padStart(5, '0')}`] = {};
    }
    decl.services[name] = { platform, secrets: k8s };
  }
  // Sharing: every tenth service reads the first key of the service before it (same platform).
  for (let s = 1; s < services; s++) {
    if (s % 10 !== 0 || s === services / 2) continue;
    const reader = `svc-${String(s).padStart(3, '0')}`;
    const owner = `svc-${String(s - 1).padStart(3, '0')}`;
    if (!decl.services[owner].secrets['secret-000']) continue;
    decl.services[reader].secrets.shared = { SHARED_KEY: { from: `${owner}/secret-000/KEY_00000` } };
  }
  return decl;
}
