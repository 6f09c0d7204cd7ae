import { forEachMap, holdsReference } from '../terraform/for-each-map';
import { MovedBlocks } from '../terraform/moved-blocks';
import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import type { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { objectKey, sortObjects, type KubernetesObject } from './objects';

export interface KubernetesManifestsProps {
  /** Kubernetes provider of the target cluster. */
  readonly provider: KubernetesProvider;
  /** Prefix of the Terraform addresses (`kubernetes_manifest.<prefix>_objects`). */
  readonly resourcePrefix: string;
  /** @default - none; add them with addObject */
  readonly objects?: readonly KubernetesObject[];
}

/**
 * Kubernetes objects applied by Terraform to one cluster as `kubernetes_manifest` resources keyed
 * by `Kind/namespace/name`. Namespaces are their own resource, applied before the objects in them.
 */
export class KubernetesManifests extends Construct {
  public readonly namespaces: Manifest;
  public readonly objects: Manifest;
  /**
   * Objects that hold Terraform references (client ids read from identities), kept apart so that
   * the large reference-free map can live in a data file: `kubernetes_manifest.<prefix>_identity_objects`.
   */
  public identityObjects?: Manifest;
  private readonly all = new Map<string, KubernetesObject>();
  private readonly props: KubernetesManifestsProps;

  constructor(scope: Construct, id: string, props: KubernetesManifestsProps) {
    super(scope, id);
    this.props = props;
    const namespaces = forEachMap(this, `${props.resourcePrefix}_namespaces`, () => this.map((o) => o.kind === 'Namespace'), () => this.all.size);
    // Deleting a namespace deletes everything in it, the service's workloads included: Terraform
    // refuses instead, and a namespace is released with `terraform state rm` (see the README).
    this.namespaces = new Manifest(this, 'Namespaces', {
      provider: props.provider,
      forEach: namespaces,
      manifest: namespaces.value,
      lifecycle: { preventDestroy: true },
    });
    this.namespaces.overrideLogicalId(`${props.resourcePrefix}_namespaces`);
    const objects = forEachMap(this, `${props.resourcePrefix}_objects`, () => this.map((o) => o.kind !== 'Namespace' && !holdsReference(o)), () => this.all.size);
    this.objects = new Manifest(this, 'Resource', {
      provider: props.provider,
      forEach: objects,
      manifest: objects.value,
      dependsOn: [this.namespaces],
    });
    this.objects.overrideLogicalId(`${props.resourcePrefix}_objects`);
    for (const o of props.objects ?? []) this.addObject(o);
  }

  public addObject(o: KubernetesObject): void {
    const key = objectKey(o);
    if (this.all.has(key)) throw new Error(`${this.node.path}: ${key} is already declared`);
    this.all.set(key, o);
    if (o.kind !== 'Namespace' && holdsReference(o) && !this.identityObjects) {
      const p = this.props;
      const each = forEachMap(this, `${p.resourcePrefix}_identity_objects`, () => this.map((x) => x.kind !== 'Namespace' && holdsReference(x)), () => this.all.size);
      this.identityObjects = new Manifest(this, 'IdentityObjects', { provider: p.provider, forEach: each, manifest: each.value, dependsOn: [this.namespaces] });
      this.identityObjects.overrideLogicalId(`${p.resourcePrefix}_identity_objects`);
      // Earlier versions kept these objects in <prefix>_objects: move them, never recreate them.
      const identity = this.identityObjects;
      new MovedBlocks(this, 'Moved').addEntries(() =>
        Object.keys(this.map((x) => x.kind !== 'Namespace' && holdsReference(x))).map((key) => ({
          from: { address: `kubernetes_manifest.${p.resourcePrefix}_objects[${JSON.stringify(key)}]` },
          to: { resource: identity, key },
        })),
      );
    }
  }

  private map(keep: (o: KubernetesObject) => boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const o of sortObjects([...this.all.values()].filter(keep))) out[objectKey(o)] = o;
    return out;
  }
}
