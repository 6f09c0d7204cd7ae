import type { Model } from '../model';
import type { AddProblem } from './add-problem';

/** The namespace of the Secrets Store CSI driver and its Azure provider, as installed by the product. */
export const CSI_DRIVER_NAMESPACE = 'kube-system';

/**
 * A service may not live in a controller's namespace: the External Secrets controller's (the
 * configured one, `external-secrets` by default) or the CSI driver's (`kube-system`). The Namespace
 * would have two owners, and the service's workloads would run next to the controller's
 * credentials, whose identity may read more than the service's.
 */
export function checkControllerNamespaces(model: Model, add: AddProblem): void {
  for (const s of model.services) {
    // The External Secrets controller's namespace of each environment the service runs in.
    const controller: string[] = [];
    for (const env of model.environments) {
      if (!s.environments.includes(env.name)) continue;
      const namespace =
        s.platform === 'gcp' ? env.gcp?.externalSecrets.namespace : env.azure?.delivery === 'externalSecrets' ? env.azure.externalSecrets.namespace : undefined;
      if (namespace === s.namespace) controller.push(env.name);
    }
    let owner: string | undefined;
    if (controller.length > 0) owner = `the External Secrets controller's namespace in environment${controller.length > 1 ? 's' : ''} ${controller.join(', ')}`;
    // kube-system belongs to the cluster (and holds the CSI driver on AKS) wherever the service runs.
    else if (s.namespace === CSI_DRIVER_NAMESPACE) owner = "the cluster's own namespace, where the Secrets Store CSI driver runs";
    if (owner) {
      add(
        ['services', s.name, 'namespace'],
        s.namespace,
        `${s.namespace} is ${owner}: a service there would give the Namespace two owners and run its workloads next to the controller's credentials; choose the service's own namespace`,
      );
    }
  }
}
