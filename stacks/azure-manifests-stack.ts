import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { DataAzurermUserAssignedIdentityConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-user-assigned-identity';
import type { AzureEnvironmentPlan } from '../lib/plan/azure-plan';
import { AksClusters, providerAlias } from '../lib/azure/aks-clusters';
import { KubernetesManifests } from '../lib/kubernetes/kubernetes-manifests';
import { resolvePlaceholders } from '../lib/kubernetes/objects';
import { ResourceBlocks } from '../lib/terraform/resource-blocks';
import { COLLECTIONS } from '../lib/terraform/addresses';
import { azureProvider, configureAzureBackend } from './azure-environment-stack';
import { configureStack } from './configure-stack';

/**
 * Second deploy phase on Azure: the environment's Kubernetes objects applied by Terraform to
 * every AKS cluster, with the client ids read from the identities the first phase created.
 */
export class AzureManifestsStack extends TerraformStack {
  public readonly manifests: KubernetesManifests[] = [];

  constructor(scope: Construct, id: string, plan: AzureEnvironmentPlan) {
    super(scope, id);
    configureStack(this, plan);
    // Write-only arguments and ephemeral variables need Terraform 1.11.
    this.addOverride('terraform.required_version', '>= 1.11.0');
    configureAzureBackend(this, plan, id);
    azureProvider(this, plan);
    const clusters = new AksClusters(this, 'Clusters', { clusters: plan.clusters, auth: plan.clusterAuth, requireWorkloadIdentity: false });
    // The identities the first phase created, looked up by name for their client ids.
    const identities = new ResourceBlocks<DataAzurermUserAssignedIdentityConfig>(this, 'Identities', { type: 'azurerm_user_assigned_identity', prefix: COLLECTIONS.azureIdentities, data: true });
    for (const i of Object.values(plan.identities)) identities.add(i.service, { name: i.name, resource_group_name: plan.resourceGroup });
    for (const c of plan.clusters) {
      const objects = resolvePlaceholders(plan.objects, (owner) =>
        owner === 'aks-addon' ? clusters.addonIdentityOf(c.name).clientId : identities.ref(owner, 'client_id'),
      );
      this.manifests.push(new KubernetesManifests(this, `Manifests-${c.name}`, { provider: clusters.kubernetes(c.name), resourceName: providerAlias(c.name), objects, existing: plan.existingObjects }));
    }
  }
}
