import { fixedName } from '../lib/terraform/address-claims';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config';
import type { GcpEnvironmentPlan } from '../lib/plan/gcp-plan';
import { GkeClusterAccess } from '../lib/gcp/gke-cluster-access';
import { KubernetesManifests } from '../lib/kubernetes/kubernetes-manifests';
import { configureBackend } from './gcp-environment-stack';
import { configureStack } from './configure-stack';

/**
 * Second deploy phase: the environment's Kubernetes objects (namespaces, service accounts,
 * SecretStores, ExternalSecrets) applied by Terraform to every cluster. A `kubernetes_manifest`
 * needs its CRD at plan time, so this stack is deployed after the environment stack installed
 * External Secrets Operator.
 */
export class GcpManifestsStack extends TerraformStack {
  public readonly manifests: KubernetesManifests[] = [];

  constructor(scope: Construct, id: string, plan: GcpEnvironmentPlan) {
    super(scope, id);
    configureStack(this, plan);
    // Import blocks need Terraform 1.5.
    this.addOverride('terraform.required_version', '>= 1.5.0');
    configureBackend(this, plan, id);
    new GoogleProvider(this, 'google', { project: plan.project });
    const clientConfig = new DataGoogleClientConfig(this, 'ClientConfig');
    fixedName(clientConfig, 'current', 'data');
    for (const c of plan.clusters) {
      const access = new GkeClusterAccess(this, `Cluster-${c.name}`, { project: plan.project, name: c.name, location: c.location, clientConfig });
      this.manifests.push(
        new KubernetesManifests(this, `Manifests-${c.name}`, { provider: access.kubernetes(), resourceName: c.name, objects: plan.objects, existing: plan.existingObjects }),
      );
    }
  }
}
