import type { ITerraformDependable } from 'cdktf';
import { forEachMap } from '../terraform/for-each-map';
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
  /**
   * Deletion protection of this secret (adopted secrets are always protected).
   * @default - the set's deletionProtection
   */
  readonly deletionProtection?: boolean;
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
  /** Secrets the set creates. */
  public readonly resource: SecretManagerSecret;
  /** Secrets that existed before and were imported (`google_secret_manager_secret.adopted_secrets`). */
  public readonly adopted: SecretManagerSecret;
  public readonly grants: SecretAccessorGrants;
  public readonly project: string;
  private readonly specs = new Map<string, SecretSpec>();
  private readonly defaultProtection: boolean;

  constructor(scope: Construct, id: string, props: SecretManagerSecretsProps) {
    super(scope, id);
    this.project = props.project;
    this.defaultProtection = props.deletionProtection ?? true;
    for (const s of Object.values(props.secrets ?? {})) this.addSecret(s);
    const locations = props.replicaLocations ?? [];
    const replication = locations.length > 0 ? { userManaged: { replicas: locations.map((location) => ({ location })) } } : { auto: {} };
    const created = forEachMap(this, props.resourceName ?? 'secrets', () => this.forEachMap(false), () => this.specs.size);
    this.resource = new SecretManagerSecret(this, 'Resource', {
      forEach: created,
      project: props.project,
      secretId: created.getString('secret_id'),
      labels: created.getStringMap('labels'),
      deletionProtection: created.getBoolean('deletion_protection'),
      replication,
    });
    this.resource.overrideLogicalId(props.resourceName ?? 'secrets');
    // An adopted secret keeps what it was made with: its replication cannot change in place (a
    // change would replace the secret and lose its versions), and attributes the declaration does
    // not set are left alone. Terraform never destroys it.
    const adopted = forEachMap(this, `adopted_${props.resourceName ?? 'secrets'}`, () => this.forEachMap(true), () => this.specs.size);
    this.adopted = new SecretManagerSecret(this, 'Adopted', {
      forEach: adopted,
      project: props.project,
      secretId: adopted.getString('secret_id'),
      labels: adopted.getStringMap('labels'),
      deletionProtection: true,
      replication,
      lifecycle: { preventDestroy: true, ignoreChanges: ['replication', 'rotation', 'topics', 'version_aliases', 'version_destroy_ttl', 'annotations', 'expire_time', 'ttl'] },
    });
    this.adopted.overrideLogicalId(`adopted_${props.resourceName ?? 'secrets'}`);
    this.grants = new SecretAccessorGrants(this, 'Accessors', { project: props.project, after: [this.resource, this.adopted, ...(props.grantsAfter ?? [])] });
    new ImportBlocks(this, 'Imports').addEntries(() =>
      [...this.specs.values()]
        .filter((s) => s.adopt)
        .sort((a, b) => (a.secretId < b.secretId ? -1 : 1))
        .map((s) => ({ resource: this.adopted, key: s.secretId, id: `projects/${this.project}/secrets/${s.secretId}` })),
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

  private forEachMap(adopted: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const id of this.secretIds) {
      const s = this.specs.get(id)!;
      if (Boolean(s.adopt) !== adopted) continue;
      const labels: Record<string, string> = {};
      for (const k of Object.keys(s.labels ?? {}).sort()) labels[k] = s.labels![k];
      out[id] = adopted ? { secret_id: id, labels } : { secret_id: id, labels, deletion_protection: s.deletionProtection ?? this.defaultProtection };
    }
    return out;
  }
}
