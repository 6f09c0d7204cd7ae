import { fixedName } from '../terraform/address-claims';
import { ConstructChecks, requireProps } from '../terraform/construct-checks';
import { RULES } from '../declaration/rules';
import type { IKeyVaultReader } from './key-vault-reader';
import { Construct } from 'constructs';
import { DataAzurermKubernetesCluster } from '@cdktf/provider-azurerm/lib/data-azurerm-kubernetes-cluster';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { COLLECTIONS, aksAddonIdentityRefs, aksClusterAddress } from '../terraform/addresses';
import { blockName } from '../terraform/block-names';

/** Server application id of the AKS Entra ID integration, for kubelogin. */
export const AKS_AAD_SERVER_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

/** Provider alias (and address prefix) of an AKS cluster: `aks_<name>`, valid even when the name starts with a digit. */
export function providerAlias(cluster: string): string {
  return `aks_${cluster}`;
}

export type ClusterAuth = 'azurecli' | 'spn' | 'msi' | 'workloadidentity' | 'clientCertificate';

export interface AksClustersProps {
  readonly clusters: readonly { readonly name: string; readonly resourceGroup: string }[];
  /** kubelogin login mode, or the cluster's client certificate. @default "azurecli" */
  readonly auth?: ClusterAuth;
  /**
   * Fail the plan unless every cluster has its OIDC issuer and workload identity on.
   * @default true
   */
  readonly requireWorkloadIdentity?: boolean;
  /**
   * Fail the plan unless every cluster runs the key vault secrets provider add-on with rotation.
   * @default false
   */
  readonly requireCsiAddon?: boolean;
  /**
   * Fail the plan if a cluster runs the key vault secrets provider add-on (a Helm install of the
   * driver would collide with it).
   * @default false
   */
  readonly forbidCsiAddon?: boolean;
  /**
   * Block name prefix of the clusters' data sources (`data.azurerm_kubernetes_cluster.<resourceName>_<name>`).
   * @default "clusters"
   */
  readonly resourceName?: string;
}

/**
 * The environment's AKS clusters looked up by name, one data source each
 * (`data.azurerm_kubernetes_cluster.clusters_<name>`), checked at plan time for what the secrets
 * need, and the providers that reach each one.
 */
export class AksClusters extends Construct {
  /** The data source of each cluster, by name. */
  public readonly clusters: ReadonlyMap<string, DataAzurermKubernetesCluster>;
  private readonly auth: ClusterAuth;
  private readonly prefix: string;
  private readonly kubernetesProviders = new Map<string, KubernetesProvider>();
  private readonly helmProviders = new Map<string, HelmProvider>();

  constructor(scope: Construct, id: string, props: AksClustersProps) {
    super(scope, id);
    requireProps(this, props);
    if (!Array.isArray(props.clusters)) throw new Error(`${this.node.path}: clusters ${JSON.stringify(props.clusters)} is not a list of clusters ({ name, resourceGroup })`);
    this.auth = props.auth ?? 'azurecli';
    const checks: { condition: string; error_message: string }[] = [];
    // The data source exports oidc_issuer_enabled (not the workload identity webhook flag, which
    // the CSI provider and External Secrets do not need: they request the token themselves).
    if (props.requireWorkloadIdentity ?? true) {
      checks.push({
        condition: '${self.oidc_issuer_enabled}',
        error_message: 'The AKS cluster needs its OIDC issuer for workload identity federation: az aks update --enable-oidc-issuer.',
      });
    }
    if (props.requireCsiAddon) {
      checks.push({
        condition: '${try(self.key_vault_secrets_provider[0].secret_rotation_enabled, false)}',
        error_message: 'The AKS cluster needs the key vault secrets provider add-on with rotation: az aks enable-addons --addons azure-keyvault-secrets-provider, then az aks addon update --addon azure-keyvault-secrets-provider --enable-secret-rotation.',
      });
    }
    if (props.forbidCsiAddon) {
      checks.push({
        condition: '${length(self.key_vault_secrets_provider) == 0}',
        error_message: 'The AKS cluster runs the key vault secrets provider add-on, which a Helm install of the driver would collide with: set csiDriver.install: aksAddon.',
      });
    }
    this.prefix = props.resourceName ?? COLLECTIONS.aksClusters;
    const input = new ConstructChecks(this);
    props.clusters.forEach((c, i) => {
      input.rule(`clusters[${i}].name`, c.name, RULES.aksClusterName);
      input.rule(`clusters[${i}].resourceGroup`, c.resourceGroup, RULES.azureResourceGroup);
    });
    const clusters = new Map<string, DataAzurermKubernetesCluster>();
    for (const c of [...props.clusters].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const data = new DataAzurermKubernetesCluster(this, `Cluster-${c.name}`, { name: c.name, resourceGroupName: c.resourceGroup });
      fixedName(data, blockName(this.prefix, c.name), 'data');
      if (checks.length > 0) data.addOverride('lifecycle', { postcondition: checks });
      clusters.set(c.name, data);
    }
    this.clusters = clusters;
  }

  /** Reference to an attribute of one cluster, without the surrounding `${}`. */
  private ref(cluster: string, path: string): string {
    return `${this.addressOf(cluster)}.${path}`;
  }

  /** Address of one cluster's data source. */
  public addressOf(cluster: string): string {
    if (!this.clusters.has(cluster)) throw new Error(`${this.node.path}: no cluster ${cluster}`);
    return aksClusterAddress(cluster, this.prefix);
  }

  private attr(cluster: string, path: string): string {
    return `\${${this.ref(cluster, path)}}`;
  }

  private decoded(cluster: string, path: string): string {
    return `\${base64decode(${this.ref(cluster, path)})}`;
  }

  /** Terraform expression of a cluster's resource id. */
  public idOf(cluster: string): string {
    return this.attr(cluster, 'id');
  }

  /** Terraform expression of a cluster's OIDC issuer URL. */
  public oidcIssuerOf(cluster: string): string {
    return this.attr(cluster, 'oidc_issuer_url');
  }

  /** Terraform expressions of the key vault secrets provider add-on identity of a cluster. */
  public addonIdentityOf(cluster: string): { objectId: string; clientId: string } {
    this.addressOf(cluster);
    return aksAddonIdentityRefs(cluster, this.prefix);
  }

  /**
   * The cluster's key vault secrets provider add-on identity as a reader for
   * `KeyVaultSecrets.grantRead`, keyed `aks-addon-<cluster>`: every pod of the cluster that mounts a
   * SecretProviderClass naming it reads what it is granted.
   */
  public addonReader(cluster: string): IKeyVaultReader {
    return { readerKey: `aks-addon-${cluster}`, principalId: this.addonIdentityOf(cluster).objectId };
  }

  private connection(cluster: string) {
    const host = this.attr(cluster, 'kube_config[0].host');
    const ca = this.decoded(cluster, 'kube_config[0].cluster_ca_certificate');
    if (this.auth === 'clientCertificate') {
      return {
        host,
        clusterCaCertificate: ca,
        clientCertificate: this.decoded(cluster, 'kube_config[0].client_certificate'),
        clientKey: this.decoded(cluster, 'kube_config[0].client_key'),
      };
    }
    return {
      host,
      clusterCaCertificate: ca,
      exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kubelogin', args: ['get-token', '--login', this.auth, '--server-id', AKS_AAD_SERVER_ID] },
    };
  }

  /** Kubernetes provider of one cluster, aliased by its name (created once). */
  public kubernetes(cluster: string): KubernetesProvider {
    let p = this.kubernetesProviders.get(cluster);
    if (!p) {
      const c = this.connection(cluster);
      p = new KubernetesProvider(this, `Kubernetes-${cluster}`, { alias: providerAlias(cluster), ...c, exec: c.exec ? [c.exec] : undefined });
      this.kubernetesProviders.set(cluster, p);
    }
    return p;
  }

  /** Helm provider of one cluster, aliased by its name (created once). */
  public helm(cluster: string): HelmProvider {
    let p = this.helmProviders.get(cluster);
    if (!p) {
      p = new HelmProvider(this, `Helm-${cluster}`, { alias: providerAlias(cluster), kubernetes: this.connection(cluster) });
      this.helmProviders.set(cluster, p);
    }
    return p;
  }
}
