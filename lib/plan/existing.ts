/**
 * What a plan finds in place instead of creating: Kubernetes objects a service declares as existing
 * (imported by the Terraform-managed manifests), and the CRDs a controller installed by others must
 * serve. No cdktf here.
 */
import type { ServiceModel } from '../declaration/model';
import { objectKey, type KubernetesObject } from '../kubernetes/objects';

/** A CustomResourceDefinition the manifests need, and the version of it they use. */
export interface CrdRequirement {
  /** `<plural>.<group>` */
  readonly name: string;
  readonly version: string;
}

/** What the product's External Secrets manifests use. */
export const EXTERNAL_SECRETS_CRDS: readonly CrdRequirement[] = [
  { name: 'externalsecrets.external-secrets.io', version: 'v1' },
  { name: 'secretstores.external-secrets.io', version: 'v1' },
];

/** What the product's SecretProviderClasses use. */
export const SECRET_PROVIDER_CLASS_CRDS: readonly CrdRequirement[] = [{ name: 'secretproviderclasses.secrets-store.csi.x-k8s.io', version: 'v1' }];

/** Keys (`Kind/namespace/name`) of the objects a service declares as existing, among `objects`. */
export function existingObjectKeys(svc: ServiceModel, objects: readonly KubernetesObject[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    if (svc.existing.namespace && o.kind === 'Namespace' && o.metadata.name === svc.namespace) out.push(objectKey(o));
    if (svc.existing.serviceAccount && o.kind === 'ServiceAccount' && o.metadata.namespace === svc.namespace && o.metadata.name === svc.serviceAccount) out.push(objectKey(o));
  }
  return out;
}
