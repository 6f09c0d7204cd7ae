import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { DataGoogleContainerCluster } from '@cdktf/provider-google/lib/data-google-container-cluster';
import { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';

export interface GkeClusterAccessProps {
  readonly project: string;
  readonly name: string;
  readonly location: string;
  /** Client config of the deploying identity, shared by every cluster of a stack. */
  readonly clientConfig: DataGoogleClientConfig;
}

/**
 * How a stack reaches one GKE cluster: the cluster looked up by name, and Kubernetes and Helm
 * providers (aliased by cluster name) authenticated with the deploying identity's token. Nothing
 * cluster-specific is written into the manifests themselves.
 */
export class GkeClusterAccess extends Construct {
  public readonly cluster: DataGoogleContainerCluster;
  public readonly name: string;
  private kubernetesProvider?: KubernetesProvider;
  private helmProvider?: HelmProvider;

  constructor(scope: Construct, id: string, private readonly props: GkeClusterAccessProps) {
    super(scope, id);
    this.name = props.name;
    this.cluster = new DataGoogleContainerCluster(this, 'Resource', { project: props.project, name: props.name, location: props.location });
    this.cluster.overrideLogicalId(`cluster_${props.name}`);
  }

  private get host(): string {
    return `https://${this.cluster.endpoint}`;
  }

  private get caCertificate(): string {
    return Fn.base64decode(this.cluster.masterAuth.get(0).clusterCaCertificate);
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
