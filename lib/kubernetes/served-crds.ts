import { requireProps } from '../terraform/construct-checks';
import { Construct } from 'constructs';
import type { DataKubernetesResourceConfig } from '@cdktf/provider-kubernetes/lib/data-kubernetes-resource';
import type { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { ResourceBlocks } from '../terraform/resource-blocks';
import type { CrdRequirement } from '../plan/existing';

export interface ServedCrdsProps {
  /** Kubernetes provider of the cluster. */
  readonly provider: KubernetesProvider;
  /** Block name prefix (`data.kubernetes_resource.<prefix>_<crd name>`). */
  readonly resourceName: string;
  /** The cluster, named in the failure message. */
  readonly cluster: string;
  readonly crds: readonly CrdRequirement[];
  /** Who installed the controller, for the message. */
  readonly installedBy: string;
}

/**
 * Plan-time checks that a cluster serves the CRD versions the product's manifests use, where the
 * controller was installed by others: one `kubernetes_resource` lookup per CRD, with a
 * postcondition that fails the plan naming the cluster, the CRD and the version.
 */
export class ServedCrds extends Construct {
  public readonly blocks: ResourceBlocks<DataKubernetesResourceConfig>;

  constructor(scope: Construct, id: string, props: ServedCrdsProps) {
    super(scope, id);
    requireProps(this, props);
    this.blocks = new ResourceBlocks(this, 'Resource', { type: 'kubernetes_resource', prefix: props.resourceName, data: true, provider: props.provider });
    for (const crd of props.crds) {
      this.blocks.add(
        crd.name,
        { api_version: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: crd.name } },
        {
          lifecycle: {
            postcondition: [
              {
                condition: `\${contains([for v in try(self.object.spec.versions, []) : v.name if try(v.served, false)], ${JSON.stringify(crd.version)})}`,
                error_message: `Cluster ${props.cluster} does not serve ${crd.name} ${crd.version}, which the manifests use (the controller is declared as installed by ${props.installedBy}): upgrade that install, or let the product install it.`,
              },
            ],
          },
        },
      );
    }
  }
}
