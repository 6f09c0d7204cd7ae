import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { AzureEnvironmentPlan } from '../lib/plan/azure-plan';
import { AksClusters, providerAlias } from '../lib/azure/aks-clusters';
import { KubernetesManifests } from '../lib/kubernetes/kubernetes-manifests';
import { PrometheusRuleGroups } from '../lib/azure/prometheus-rule-groups';
import { azureProvider, configureAzureBackend } from './azure-environment-stack';
import { configureStack } from './configure-stack';

export interface AzureMonitoringStackOptions {
  /** Apply the monitoring objects to the clusters (the Terraform mode). */
  readonly manifests: boolean;
  /** Workspace and action group of the Azure Monitor rule groups (azureManagedPrometheus). @default - no rule groups */
  readonly azureMonitor?: { readonly workspaceId: string; readonly actionGroupId?: string };
}

/**
 * The monitoring of an environment's AKS clusters, apart from its secrets: the scrape definitions
 * (in the Terraform mode) and, with azureManagedPrometheus, the alert rule groups in the Azure
 * Monitor workspace. A cluster without the monitoring CRDs fails this stack's plan, never the
 * delivery of its secrets.
 */
export class AzureMonitoringStack extends TerraformStack {
  public readonly manifests: KubernetesManifests[] = [];
  public readonly ruleGroups?: PrometheusRuleGroups;

  constructor(scope: Construct, id: string, plan: AzureEnvironmentPlan, options: AzureMonitoringStackOptions) {
    super(scope, id);
    const monitoring = plan.monitoring;
    if (!monitoring) throw new Error(`${id}: the plan has no monitoring`);
    configureStack(this, plan);
    this.addOverride('terraform.required_version', '>= 1.11.0');
    configureAzureBackend(this, plan, id);
    azureProvider(this, plan);
    const clusters = new AksClusters(this, 'Clusters', { clusters: plan.clusters, auth: plan.clusterAuth, requireWorkloadIdentity: false });
    if (options.manifests && monitoring.objects.length > 0) {
      for (const c of plan.clusters) {
        this.manifests.push(new KubernetesManifests(this, `Monitoring-${c.name}`, { provider: clusters.kubernetes(c.name), resourceName: `monitoring_${providerAlias(c.name)}`, objects: monitoring.objects }));
      }
    }
    if (options.azureMonitor && monitoring.alertGroups.length > 0) {
      const groups = new PrometheusRuleGroups(this, 'RuleGroups', {
        location: plan.location,
        resourceGroupName: plan.resourceGroup,
        workspaceId: options.azureMonitor.workspaceId,
        actionGroupId: options.azureMonitor.actionGroupId,
        tags: plan.tags,
      });
      for (const c of plan.clusters) for (const g of monitoring.alertGroups) groups.addGroup(c.name, clusters.idOf(c.name), g);
      this.ruleGroups = groups;
    }
  }
}
