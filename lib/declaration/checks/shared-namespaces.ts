import type { Model, ServiceModel } from '../model';
import type { AddProblem } from './add-problem';

/**
 * Two services in one namespace: whoever may create an ExternalSecret there (the External Secrets
 * chart gives that to the namespace's editors) can use either service's SecretStore, so isolation
 * holds per namespace, not per service. Refused unless every service in the namespace declares
 * `sharedNamespace` with its reason (the access report then shows the shared boundary).
 */
export function checkSharedNamespaces(model: Model, add: AddProblem): void {
  const reported = new Set<string>();
  for (const [key, services] of sharedNamespaces(model)) {
    const [platform, , namespace] = key.split('|');
    const names = services.map((s) => s.name);
    for (const s of services) {
      if (s.sharedNamespace !== undefined || reported.has(s.name)) continue;
      reported.add(s.name);
      add(
        ['services', s.name, 'namespace'],
        namespace,
        `services ${names.join(', ')} share namespace ${namespace} (${platform}): whoever may create an ExternalSecret in a namespace can use every SecretStore in it, so one could read the other's secrets. ` +
          `Give each service its own namespace, or declare sharedNamespace: { reason: ... } on each of them to accept one boundary for all`,
      );
    }
  }
}

/**
 * Namespaces holding more than one service in one environment's clusters, by
 * `platform|environment|namespace`, services sorted by name.
 */
export function sharedNamespaces(model: Model): Map<string, ServiceModel[]> {
  const byNamespace = new Map<string, ServiceModel[]>();
  for (const env of model.environments) {
    for (const s of model.services) {
      if (!s.environments.includes(env.name)) continue;
      const key = `${s.platform}|${env.name}|${s.namespace}`;
      byNamespace.set(key, [...(byNamespace.get(key) ?? []), s]);
    }
  }
  return new Map([...byNamespace].filter(([, services]) => services.length > 1));
}
