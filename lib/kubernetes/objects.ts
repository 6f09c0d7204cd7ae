/**
 * Kubernetes objects the product produces, typed once. Builders return plain objects; the
 * Terraform renderer (`kubernetes_manifest`) and the YAML renderer emit the very same values.
 */
import { MANAGED_BY } from '../declaration/naming';

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

export const EXTERNAL_SECRETS_API = 'external-secrets.io/v1';
/** Label on every object the product creates. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Label naming the service an object belongs to. */
export const SERVICE_LABEL = 'secret-wiring.dev/service';
/** Annotation linking a Kubernetes service account to a Google service account. */
export const GKE_GSA_ANNOTATION = 'iam.gke.io/gcp-service-account';

function labels(service?: string): Record<string, string> {
  return service ? { [MANAGED_BY_LABEL]: MANAGED_BY, [SERVICE_LABEL]: service } : { [MANAGED_BY_LABEL]: MANAGED_BY };
}

export function namespaceObject(name: string): KubernetesObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: labels() } };
}

export interface ServiceAccountOptions {
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
  /** Google service account the account impersonates (iam.gke.io/gcp-service-account). @default - none */
  readonly googleServiceAccountEmail?: string;
}

export function serviceAccountObject(o: ServiceAccountOptions): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: labels(o.service),
      ...(o.googleServiceAccountEmail ? { annotations: { [GKE_GSA_ANNOTATION]: o.googleServiceAccountEmail } } : {}),
    },
    // Only the SecretStore uses this account, through the TokenRequest API: no pod mounts its token.
    automountServiceAccountToken: false,
  };
}

export interface GcpSecretStoreOptions {
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
  /** Project holding the secrets. */
  readonly projectId: string;
  /** Kubernetes service account the store authenticates as. */
  readonly serviceAccount: string;
}

/**
 * A namespaced SecretStore for Google Secret Manager authenticating with GKE Workload Identity as
 * one service account. Cluster name, location and project are left to the metadata server, so the
 * same object serves every cluster of an environment.
 */
export function gcpSecretStoreObject(o: GcpSecretStoreOptions): KubernetesObject {
  return {
    apiVersion: EXTERNAL_SECRETS_API,
    kind: 'SecretStore',
    metadata: { name: o.name, namespace: o.namespace, labels: labels(o.service) },
    spec: {
      provider: {
        gcpsm: {
          projectID: o.projectId,
          auth: { workloadIdentity: { serviceAccountRef: { name: o.serviceAccount } } },
        },
      },
    },
  };
}

export interface ExternalSecretEntry {
  /** Key in the Kubernetes Secret. */
  readonly secretKey: string;
  /** Remote secret id. */
  readonly remoteKey: string;
  /** Pinned version. @default - latest */
  readonly version?: string;
}

export interface ExternalSecretOptions {
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
  readonly storeName: string;
  readonly refreshInterval: string;
  readonly data: readonly ExternalSecretEntry[];
}

/**
 * An ExternalSecret producing one Kubernetes Secret.
 *
 * creationPolicy Orphan: the Secret carries no owner reference, so deleting the ExternalSecret or
 * uninstalling the controller leaves it in place. deletionPolicy Retain: when the remote secret is
 * deleted, the Secret keeps its last data instead of being emptied or removed.
 */
export function externalSecretObject(o: ExternalSecretOptions): KubernetesObject {
  return {
    apiVersion: EXTERNAL_SECRETS_API,
    kind: 'ExternalSecret',
    metadata: { name: o.name, namespace: o.namespace, labels: labels(o.service) },
    spec: {
      refreshInterval: o.refreshInterval,
      secretStoreRef: { kind: 'SecretStore', name: o.storeName },
      target: { name: o.name, creationPolicy: 'Orphan', deletionPolicy: 'Retain' },
      data: [...o.data]
        .sort((a, b) => (a.secretKey < b.secretKey ? -1 : a.secretKey > b.secretKey ? 1 : 0))
        .map((d) => ({
          secretKey: d.secretKey,
          remoteRef: d.version ? { key: d.remoteKey, version: d.version } : { key: d.remoteKey },
        })),
    },
  };
}

/** Stable identity of an object: `Kind/namespace/name`, or `Kind/name` when cluster-scoped. */
export function objectKey(o: KubernetesObject): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

const KIND_ORDER = ['Namespace', 'ServiceAccount', 'SecretStore', 'ExternalSecret'];

/** Sorts objects so that what others depend on comes first, then by key. */
export function sortObjects(objects: readonly KubernetesObject[]): KubernetesObject[] {
  const rank = (o: KubernetesObject) => {
    const i = KIND_ORDER.indexOf(o.kind);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...objects].sort((a, b) => rank(a) - rank(b) || (objectKey(a) < objectKey(b) ? -1 : objectKey(a) > objectKey(b) ? 1 : 0));
}
