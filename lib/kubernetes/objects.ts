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
  /** Field of a JSON remote secret to extract (`remoteRef.property`). @default - the whole value */
  readonly property?: string;
  /** SecretStore of the namespace to read this entry from. @default - the ExternalSecret's storeName */
  readonly storeName?: string;
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
          remoteRef: { key: d.remoteKey, ...(d.version ? { version: d.version } : {}), ...(d.property ? { property: d.property } : {}) },
          // Another store of the namespace (another vault): ESO reads this entry there.
          ...(d.storeName !== undefined && d.storeName !== o.storeName ? { sourceRef: { storeRef: { kind: 'SecretStore', name: d.storeName } } } : {}),
        })),
    },
  };
}

/** Stable identity of an object: `Kind/namespace/name`, or `Kind/name` when cluster-scoped. */
export function objectKey(o: KubernetesObject): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

const KIND_ORDER = ['Namespace', 'ServiceAccount', 'SecretStore', 'SecretProviderClass', 'ExternalSecret', 'ServiceMonitor', 'PodMonitor', 'PrometheusRule'];

/** Sorts objects so that what others depend on comes first, then by key. */
export function sortObjects(objects: readonly KubernetesObject[]): KubernetesObject[] {
  const rank = (o: KubernetesObject) => {
    const i = KIND_ORDER.indexOf(o.kind);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...objects].sort((a, b) => rank(a) - rank(b) || (objectKey(a) < objectKey(b) ? -1 : objectKey(a) > objectKey(b) ? 1 : 0));
}

export const SECRETS_STORE_CSI_API = 'secrets-store.csi.x-k8s.io/v1';
/** Annotation naming the Entra ID application (managed identity) a service account is federated with. */
export const AZURE_CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';

/**
 * Stand-in for a managed identity's client id, which Azure assigns at creation. The Terraform
 * renderer replaces it with a reference to the identity; the GitOps rendering with a kustomize
 * replacement from `identities.env`, which the environment's stack writes when it is applied.
 */
export function clientIdPlaceholder(owner: string): string {
  return `<client-id of ${owner}>`;
}

const PLACEHOLDER = /^<client-id of ([^>]+)>$/;

/** Owner named by a client id placeholder, or undefined. */
export function placeholderOwner(value: unknown): string | undefined {
  return typeof value === 'string' ? PLACEHOLDER.exec(value)?.[1] : undefined;
}

export interface AzureServiceAccountOptions {
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
  /** Client id (or its placeholder) of the federated managed identity. @default - no annotation */
  readonly clientId?: string;
}

/** A service account federated with a managed identity through Entra workload identity. */
export function azureServiceAccountObject(o: AzureServiceAccountOptions): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: labels(o.service),
      // No tenant-id annotation: the tenant is in the SecretStore or SecretProviderClass, and
      // External Secrets refuses a tenant given twice.
      ...(o.clientId ? { annotations: { [AZURE_CLIENT_ID_ANNOTATION]: o.clientId } } : {}),
    },
  };
}

export interface KeyVaultObject {
  /** Key Vault secret name. */
  readonly objectName: string;
  /** Pinned version id. @default - latest */
  readonly objectVersion?: string;
  /** File name in the mount, when two versions of one secret are read. @default - the object name */
  readonly objectAlias?: string;
}

export interface SyncedSecret {
  readonly secretName: string;
  readonly data: readonly { readonly key: string; readonly objectName: string }[];
}

export interface SecretProviderClassOptions {
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
  readonly keyVaultName: string;
  readonly tenantId: string;
  /** Workload identity: client id of the service's managed identity (or its placeholder). @default - none: the add-on identity */
  readonly clientId?: string;
  /** AKS add-on identity: its client id (or placeholder); sets useVMManagedIdentity. @default - none: workload identity */
  readonly addonIdentityClientId?: string;
  readonly objects: readonly KeyVaultObject[];
  readonly secretObjects: readonly SyncedSecret[];
}

/** The provider's `objects` parameter: a YAML document listing each object as a YAML string. */
export function keyVaultObjectsParameter(objects: readonly KeyVaultObject[]): string {
  const lines = ['array:'];
  for (const o of objects) {
    lines.push('  - |');
    // Quoted, so that a name such as null or 123 stays a string.
    lines.push(`    objectName: "${o.objectName}"`);
    if (o.objectAlias) lines.push(`    objectAlias: "${o.objectAlias}"`);
    lines.push('    objectType: secret');
    lines.push(`    objectVersion: "${o.objectVersion ?? ''}"`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A SecretProviderClass for the Azure Key Vault provider: the objects a service mounts, and the
 * Kubernetes Secrets the driver syncs from them while a pod mounts the volume.
 */
export function secretProviderClassObject(o: SecretProviderClassOptions): KubernetesObject {
  const identity: Record<string, string> = o.addonIdentityClientId
    ? { useVMManagedIdentity: 'true', userAssignedIdentityID: o.addonIdentityClientId }
    : { clientID: o.clientId ?? '' };
  return {
    apiVersion: SECRETS_STORE_CSI_API,
    kind: 'SecretProviderClass',
    metadata: { name: o.name, namespace: o.namespace, labels: labels(o.service) },
    spec: {
      provider: 'azure',
      parameters: {
        usePodIdentity: 'false',
        ...identity,
        keyvaultName: o.keyVaultName,
        cloudName: '',
        // tenantID: the provider's parameter since 1.x (tenantId is its deprecated spelling).
        tenantID: o.tenantId,
        objects: keyVaultObjectsParameter(o.objects),
      },
      secretObjects: o.secretObjects.map((s) => ({
        secretName: s.secretName,
        type: 'Opaque',
        labels: labels(o.service),
        data: [...s.data].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((d) => ({ objectName: d.objectName, key: d.key })),
      })),
    },
  };
}

export interface AzureSecretStoreOptions {
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
  readonly keyVaultName: string;
  readonly tenantId: string;
  readonly serviceAccount: string;
}

/** A namespaced SecretStore for Azure Key Vault, authenticating as one federated service account. */
export function azureSecretStoreObject(o: AzureSecretStoreOptions): KubernetesObject {
  return {
    apiVersion: EXTERNAL_SECRETS_API,
    kind: 'SecretStore',
    metadata: { name: o.name, namespace: o.namespace, labels: labels(o.service) },
    spec: {
      provider: {
        azurekv: {
          authType: 'WorkloadIdentity',
          vaultUrl: `https://${o.keyVaultName}.vault.azure.net`,
          tenantId: o.tenantId,
          serviceAccountRef: { name: o.serviceAccount },
        },
      },
    },
  };
}

/** A copy of the objects with every client id placeholder replaced by `resolve(owner)`. */
export function resolvePlaceholders(objects: readonly KubernetesObject[], resolve: (owner: string) => string): KubernetesObject[] {
  const map = (v: unknown): unknown => {
    const owner = placeholderOwner(v);
    if (owner) return resolve(owner);
    if (Array.isArray(v)) return v.map(map);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, map(x)]));
    return v;
  };
  return objects.map((o) => map(o) as KubernetesObject);
}
