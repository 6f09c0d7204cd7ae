import { Lazy, TerraformIterator, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { ImportBlocks } from '../terraform/import-blocks';
import { SecretAccessorGrants, type SecretGrant } from './secret-accessor-grants';

/** One secret of the set. No value: secrets are created empty and filled out of band. */
export interface SecretSpec {
  /** Secret Manager secret id, unique in the project. */
  readonly secretId: string;
  /** Labels on the secret. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The secret exists already: import it instead of creating it.
   * @default false
   */
  readonly adopt?: boolean;
}

export interface SecretManagerSecretsProps {
  /** Project holding the secrets. */
  readonly project: string;
  /**
   * Regions of user-managed replication, for data residency.
   * @default - automatic replication
   */
  readonly replicaLocations?: readonly string[];
  /**
   * Secret Manager deletion protection: Terraform cannot delete a secret until it is turned off.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /** Secrets, keyed by secret id. @default - none; add them with addSecret */
  readonly secrets?: Readonly<Record<string, SecretSpec>>;
  /**
   * Terraform address of the secrets (`google_secret_manager_secret.<name>`).
   * @default "secrets"
   */
  readonly resourceName?: string;
  /** What the grants must also wait for, such as the service accounts they name. @default - the secrets only */
  readonly grantsAfter?: ITerraformDependable[];
}

/**
 * Google Secret Manager secrets of one project, as one `for_each` resource keyed by secret id
 * (`google_secret_manager_secret.secrets["service-a_FOO_PASSWORD"]`), with read access granted
 * per secret through `grantRead`.
 */
export class SecretManagerSecrets extends Construct {
  public readonly resource: SecretManagerSecret;
  public readonly grants: SecretAccessorGrants;
  public readonly project: string;
  private readonly specs = new Map<string, SecretSpec>();

  constructor(scope: Construct, id: string, props: SecretManagerSecretsProps) {
    super(scope, id);
    this.project = props.project;
    for (const s of Object.values(props.secrets ?? {})) this.addSecret(s);
    const each = TerraformIterator.fromMap(Lazy.anyValue({ produce: () => this.forEachMap() }) as unknown as Record<string, unknown>);
    const locations = props.replicaLocations ?? [];
    this.resource = new SecretManagerSecret(this, 'Resource', {
      forEach: each,
      project: props.project,
      secretId: each.getString('secret_id'),
      labels: each.getStringMap('labels'),
      deletionProtection: props.deletionProtection ?? true,
      replication:
        locations.length > 0 ? { userManaged: { replicas: locations.map((location) => ({ location })) } } : { auto: {} },
    });
    this.resource.overrideLogicalId(props.resourceName ?? 'secrets');
    this.grants = new SecretAccessorGrants(this, 'Accessors', { project: props.project, after: [this.resource, ...(props.grantsAfter ?? [])] });
    new ImportBlocks(this, 'Imports').addEntries(() =>
      [...this.specs.values()]
        .filter((s) => s.adopt)
        .map((s) => ({ resource: this.resource, key: s.secretId, id: `projects/${this.project}/secrets/${s.secretId}` })),
    );
  }

  /** Adds a secret to the set. */
  public addSecret(spec: SecretSpec): void {
    if (this.specs.has(spec.secretId)) throw new Error(`${this.node.path}: secret ${spec.secretId} is already in the set`);
    this.specs.set(spec.secretId, spec);
  }

  /** Secret ids in the set, sorted. */
  public get secretIds(): string[] {
    return [...this.specs.keys()].sort();
  }

  /**
   * Grants `roles/secretmanager.secretAccessor` on one secret of the set to one IAM member, as a
   * non-authoritative `google_secret_manager_secret_iam_member`.
   *
   * @param secretId a secret of this set
   * @param member IAM member, e.g. a Workload Identity `principal://...` or `serviceAccount:...`
   * @param key for_each key of the grant @default "<member>/<secretId>"
   */
  public grantRead(secretId: string, member: string, key?: string): SecretGrant {
    if (!this.specs.has(secretId)) throw new Error(`${this.node.path}: cannot grant read on ${secretId}: it is not a secret of this set`);
    return this.grants.add({ secretId, member, key: key ?? `${member}/${secretId}` });
  }

  private forEachMap(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const id of this.secretIds) {
      const s = this.specs.get(id)!;
      const labels: Record<string, string> = {};
      for (const k of Object.keys(s.labels ?? {}).sort()) labels[k] = s.labels![k];
      out[id] = { secret_id: id, labels };
    }
    return out;
  }
}
