import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { DataAzurermUserAssignedIdentity } from '@cdktf/provider-azurerm/lib/data-azurerm-user-assigned-identity';
import type { AzureEnvironmentPlan } from '../lib/plan/azure-plan';
import { AksClusters, providerAlias } from '../lib/azure/aks-clusters';
import { KubernetesManifests } from '../lib/kubernetes/kubernetes-manifests';
import { resolvePlaceholders } from '../lib/kubernetes/objects';
import { forEachMap } from '../lib/terraform/for-each-map';
import { azureProvider, configureAzureBackend } from './azure-environment-stack';

/**
 * Second deploy phase on Azure: the environment's Kubernetes objects applied by Terraform to
 * every AKS cluster, with the client ids read from the identities the first phase created.
 */
export class AzureManifestsStack extends TerraformStack {
  public readonly manifests: KubernetesManifests[] = [];

  constructor(scope: Construct, id: string, plan: AzureEnvironmentPlan) {
    super(scope, id);
    // Write-only arguments and ephemeral variables need Terraform 1.11.
    this.addOverride('terraform.required_version', '>= 1.11.0');
    configureAzureBackend(this, plan, id);
    azureProvider(this, plan);
    const clusters = new AksClusters(this, 'Clusters', { clusters: plan.clusters, auth: plan.clusterAuth, requireWorkloadIdentity: false });
    const services = Object.values(plan.identities);
    if (services.length > 0) {
      const each = forEachMap(this, 'identities', () => Object.fromEntries(services.map((i) => [i.service, { name: i.name }])));
      const identities = new DataAzurermUserAssignedIdentity(this, 'Identities', { forEach: each, name: each.getString('name'), resourceGroupName: plan.resourceGroup });
      identities.overrideLogicalId('identities');
    }
    for (const c of plan.clusters) {
      const objects = resolvePlaceholders(plan.objects, (owner) =>
        owner === 'aks-addon' ? clusters.addonIdentityOf(c.name).clientId : `\${data.azurerm_user_assigned_identity.identities[${JSON.stringify(owner)}].client_id}`,
      );
      this.manifests.push(new KubernetesManifests(this, `Manifests-${c.name}`, { provider: clusters.kubernetes(c.name), resourcePrefix: providerAlias(c.name), objects }));
    }
  }
}
