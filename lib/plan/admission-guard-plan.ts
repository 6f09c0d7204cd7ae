/**
 * The admission guard of an environment's clusters, from the SecretStores the plan renders: each
 * namespace that holds them is guarded, allowing exactly the service accounts, project or vaults
 * its own stores use, so the product's own objects always pass. Plain data, no cdktf.
 */
import type { EnvironmentModel } from '../declaration/model';
import { admissionGuardObjects, type GuardedNamespace } from '../kubernetes/admission-guard';
import { SERVICE_LABEL, type KubernetesObject } from '../kubernetes/objects';

/** Guard objects for the clusters of one environment and cloud; none when the guard is off. */
export function admissionGuardPlan(env: EnvironmentModel, objects: readonly KubernetesObject[], controllerNamespace: string): KubernetesObject[] {
  if (!env.admissionGuard) return [];
  const byNamespace = new Map<string, { services: Set<string>; accounts: Set<string>; projects: Set<string>; tenants: Set<string>; vaults: Set<string> }>();
  for (const o of objects) {
    if (o.kind !== 'SecretStore') continue;
    const provider = (o as { spec?: any }).spec?.provider ?? {};
    const ns = o.metadata.namespace!;
    const g = byNamespace.get(ns) ?? { services: new Set(), accounts: new Set(), projects: new Set(), tenants: new Set(), vaults: new Set() };
    byNamespace.set(ns, g);
    g.services.add(o.metadata.labels?.[SERVICE_LABEL] ?? '');
    if (provider.gcpsm) {
      g.accounts.add(provider.gcpsm.auth.workloadIdentity.serviceAccountRef.name);
      g.projects.add(provider.gcpsm.projectID);
    }
    if (provider.azurekv) {
      g.accounts.add(provider.azurekv.serviceAccountRef.name);
      g.tenants.add(provider.azurekv.tenantId);
      g.vaults.add(provider.azurekv.vaultUrl);
    }
  }
  if (byNamespace.size === 0) return [];
  const sorted = (xs: Set<string>) => [...xs].sort();
  const namespaces: GuardedNamespace[] = [...byNamespace].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([namespace, g]) => ({
    namespace,
    services: sorted(g.services),
    serviceAccounts: sorted(g.accounts),
    // One environment reads one project, and one tenant.
    ...(g.projects.size > 0 ? { gcpsm: { projectId: sorted(g.projects)[0] } } : {}),
    ...(g.vaults.size > 0 ? { azurekv: { tenantId: sorted(g.tenants)[0], vaultUrls: sorted(g.vaults) } } : {}),
  }));
  return admissionGuardObjects({
    paramNamespace: controllerNamespace,
    namespaces,
    clusterSecretStores: env.admissionGuard.clusterSecretStores,
    validationActions: env.admissionGuard.validationActions,
  });
}
