import type { Model } from '../model';
import type { AddProblem } from './add-problem';

/**
 * Environments sharing a GCP project share its Workload Identity pool (`PROJECT.svc.id.goog`), and a
 * principal names only the pool, a namespace and a service account, never a cluster
 * (`.../workloadIdentityPools/PROJECT.svc.id.goog/subject/ns/NS/sa/KSA`; the older pattern's
 * `serviceAccount:PROJECT.svc.id.goog[NS/KSA]` likewise). So a service account used by a service in
 * one environment and by a service in another environment of the same project is one principal:
 * a pod of either environment's clusters reads both environments' secrets. Refused, naming the
 * services, the environments and the project.
 */
export function checkSharedPrincipals(model: Model, add: AddProblem): void {
  const seen = new Map<string, { env: string; service: string }>();
  const reported = new Set<string>();
  for (const env of model.environments) {
    if (!env.gcp) continue;
    for (const s of model.services) {
      if (s.platform !== 'gcp' || !s.environments.includes(env.name)) continue;
      const principal = `${env.gcp.project}|${s.namespace}/${s.serviceAccount}`;
      const first = seen.get(principal);
      if (!first) {
        seen.set(principal, { env: env.name, service: s.name });
        continue;
      }
      if (first.env === env.name) continue; // one environment: the identity check reports it
      const id = `${principal}|${first.env}|${env.name}|${s.name}`;
      if (reported.has(id)) continue;
      reported.add(id);
      const who = first.service === s.name ? `service ${s.name}` : `services ${first.service} and ${s.name}`;
      add(
        ['services', s.name, 'serviceAccount'],
        `${s.namespace}/${s.serviceAccount}`,
        `environments ${first.env} and ${env.name} share GCP project ${env.gcp.project}, and ${who} run as ${s.namespace}/${s.serviceAccount} in both: ` +
          `a Workload Identity principal names the project's pool, a namespace and a service account, never a cluster, so a pod of either environment could read the other's secrets. ` +
          `Give each environment its own project, or give the service a namespace or service account of its own in each environment`,
      );
    }
  }
}
