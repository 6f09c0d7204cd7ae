import { requireProps } from '../terraform/construct-checks';
import { Construct } from 'constructs';
import type { ManifestConfig } from '@cdktf/provider-kubernetes/lib/manifest';
import type { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { ResourceBlocks } from '../terraform/resource-blocks';
import { objectKey, type KubernetesObject } from './objects';

/** Whether any string in a value holds a Terraform reference (`${`); stops at the first. */
export function holdsReference(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${');
  if (Array.isArray(value)) return value.some(holdsReference);
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) if (holdsReference(v)) return true;
  }
  return false;
}

/** The kubernetes provider's import id of an object (`apiVersion=v1,kind=Namespace,name=x`). */
export function manifestImportId(o: KubernetesObject): string {
  return [`apiVersion=${o.apiVersion}`, `kind=${o.kind}`, ...(o.metadata.namespace ? [`namespace=${o.metadata.namespace}`] : []), `name=${o.metadata.name}`].join(',');
}

export interface KubernetesManifestsProps {
  /** Kubernetes provider of the target cluster. */
  readonly provider: KubernetesProvider;
  /** Prefix of the block names (`kubernetes_manifest.<prefix>_<Kind>__<namespace>__<name>`). */
  readonly resourceName: string;
  /** @default - none; add them with addObject */
  readonly objects?: readonly KubernetesObject[];
  /**
   * Keys (`Kind/namespace/name`) of objects that exist in the cluster already: imported under the
   * provider's id (`apiVersion=v1,kind=Namespace,name=x`) instead of created.
   * @default - none
   */
  readonly existing?: readonly string[];
}

/**
 * Kubernetes objects applied by Terraform to one cluster, one `kubernetes_manifest` block per
 * object, named by `Kind/namespace/name`. An object waits for its own namespace when this cluster's
 * set creates it, and for nothing else.
 */
export class KubernetesManifests extends Construct {
  public readonly blocks: ResourceBlocks<ManifestConfig>;
  private readonly all = new Map<string, KubernetesObject>();
  private readonly existing: ReadonlySet<string>;

  constructor(scope: Construct, id: string, props: KubernetesManifestsProps) {
    super(scope, id);
    requireProps(this, props);
    const p = props.resourceName;
    this.existing = new Set(props.existing ?? []);
    const old = (collection: string, key: string) => `kubernetes_manifest.${p}_${collection}[${JSON.stringify(key)}]`;
    this.blocks = new ResourceBlocks(this, 'Resource', {
      type: 'kubernetes_manifest',
      prefix: p,
      provider: props.provider,
      // Earlier versions kept namespaces, objects and objects holding client ids in three for_each
      // resources (and, before that, the last two in one).
      movedFrom: (key) => {
        const o = this.all.get(key)!;
        if (o.kind === 'Namespace') return [old('namespaces', key)];
        return holdsReference(o) ? [old('objects', key), old('identity_objects', key)] : [old('objects', key)];
      },
    });
    for (const o of props.objects ?? []) this.addObject(o);
  }

  public addObject(o: KubernetesObject): void {
    const key = objectKey(o);
    if (this.all.has(key)) throw new Error(`${this.node.path}: ${key} is already declared`);
    this.all.set(key, o);
    if (o.kind === 'Namespace') {
      // Deleting a namespace deletes everything in it, the service's workloads included: Terraform
      // refuses instead, and a namespace is released with `terraform state rm` (see the README).
      this.blocks.add(key, { manifest: o as unknown as Record<string, unknown> }, { lifecycle: { prevent_destroy: true }, ...this.importOf(key, o) });
      return;
    }
    const namespace = o.metadata.namespace ? `Namespace/${o.metadata.namespace}` : undefined;
    this.blocks.add(key, { manifest: o as unknown as Record<string, unknown> }, {
      dependsOn: () => (namespace && this.all.has(namespace) ? [this.blocks.addressOf(namespace)] : []),
      ...this.importOf(key, o),
    });
  }

  private importOf(key: string, o: KubernetesObject): { importId?: string } {
    return this.existing.has(key) ? { importId: manifestImportId(o) } : {};
  }

  /** Address of an object's block. */
  public addressOf(o: KubernetesObject): string {
    return this.blocks.addressOf(objectKey(o));
  }
}
