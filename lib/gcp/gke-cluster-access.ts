import { Construct } from 'constructs';
import type { DataGoogleContainerClusterConfig } from '@cdktf/provider-google/lib/data-google-container-cluster';
import type { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { ResourceBlocks } from '../terraform/resource-blocks';
import { ConstructChecks, requireProps } from '../terraform/construct-checks';
import { RULES } from '../declaration/rules';

export interface GkeClusterAccessProps {
  readonly project: string;
  readonly name: string;
  readonly location: string;
  /** Client config of the deploying identity, shared by every cluster of a stack. */
  readonly clientConfig: DataGoogleClientConfig;
  /**
   * Block name prefix of the cluster's data source (`data.google_container_cluster.<resourceName>_<name>`).
   * @default "cluster"
   */
  readonly resourceName?: string;
}

/**
 * How a stack reaches one GKE cluster: the cluster looked up by name
 * (`data.google_container_cluster.cluster_<name>`), and Kubernetes and Helm providers (aliased by
 * cluster name) authenticated with the deploying identity's token. Nothing cluster-specific is
 * written into the manifests themselves.
 */
export class GkeClusterAccess extends Construct {
  /** The cluster's data source. */
  public readonly cluster: ResourceBlocks<DataGoogleContainerClusterConfig>;
  public readonly name: string;
  private kubernetesProvider?: KubernetesProvider;
  private helmProvider?: HelmProvider;

  constructor(scope: Construct, id: string, private readonly props: GkeClusterAccessProps) {
    super(scope, id);
    requireProps(this, props);
    if (props.clientConfig === null || typeof props.clientConfig !== 'object') throw new Error(`${this.node.path}: clientConfig is required (the deploying identity's DataGoogleClientConfig, shared by every cluster of a stack)`);
    this.name = props.name;
    const checks = new ConstructChecks(this);
    checks.rule('project', props.project, RULES.gcpProjectId);
    checks.rule('name', props.name, RULES.gkeClusterName);
    checks.rule('location', props.location, RULES.gcpLocation);
    this.cluster = new ResourceBlocks(this, 'Resource', { type: 'google_container_cluster', prefix: props.resourceName ?? 'cluster', data: true });
    this.cluster.add(props.name, { project: props.project, name: props.name, location: props.location });
  }

  private get host(): string {
    return `https://${this.cluster.ref(this.props.name, 'endpoint')}`;
  }

  private get caCertificate(): string {
    return `\${base64decode(${this.cluster.addressOf(this.props.name)}.master_auth[0].cluster_ca_certificate)}`;
  }

  /** Kubernetes provider for this cluster (created once). */
  public kubernetes(): KubernetesProvider {
    this.kubernetesProvider ??= new KubernetesProvider(this, 'Kubernetes', {
      alias: this.props.name,
      host: this.host,
      token: this.props.clientConfig.accessToken,
      clusterCaCertificate: this.caCertificate,
    });
    return this.kubernetesProvider;
  }

  /** Helm provider for this cluster (created once). */
  public helm(): HelmProvider {
    this.helmProvider ??= new HelmProvider(this, 'Helm', {
      alias: this.props.name,
      kubernetes: { host: this.host, token: this.props.clientConfig.accessToken, clusterCaCertificate: this.caCertificate },
    });
    return this.helmProvider;
  }
}
