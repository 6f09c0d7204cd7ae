import { Construct } from 'constructs';
import type { SecretManagerSecretConfig, SecretManagerSecretReplication } from '@cdktf/provider-google/lib/secret-manager-secret';
import type { BlockBody } from '../terraform/block-body';
import { ResourceBlocks } from '../terraform/resource-blocks';
import { sortedRecord } from '../util/sorted-record';
import { COLLECTIONS } from '../terraform/addresses';
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
   * Block name prefix of the secrets (`google_secret_manager_secret.<name>_<secret id>`; adopted
   * ones `adopted_<name>_<secret id>`).
   * @default "secrets"
   */
  readonly resourceName?: string;
}

/**
 * Google Secret Manager secrets of one project, one block per secret, named by secret id
 * (`google_secret_manager_secret.secrets_service-a_FOO_PASSWORD`), with read access granted per
 * secret through `grantRead`.
 */
export class SecretManagerSecrets extends Construct {
  /** Secrets the set creates. */
  public readonly created: ResourceBlocks<SecretManagerSecretConfig>;
  /** Secrets that existed before and are imported (`google_secret_manager_secret.adopted_secrets_<id>`). */
  public readonly adopted: ResourceBlocks<SecretManagerSecretConfig>;
  public readonly grants: SecretAccessorGrants;
  public readonly project: string;
  private readonly specs = new Map<string, SecretSpec>();
  private readonly defaultProtection: boolean;
  private readonly replication: BlockBody<SecretManagerSecretReplication>;

  constructor(scope: Construct, id: string, props: SecretManagerSecretsProps) {
    super(scope, id);
    this.project = props.project;
    this.defaultProtection = props.deletionProtection ?? true;
    const locations = props.replicaLocations ?? [];
    this.replication = locations.length > 0 ? { user_managed: { replicas: locations.map((location) => ({ location })) } } : { auto: {} };
    const name = props.resourceName ?? COLLECTIONS.gcpSecrets;
    this.created = new ResourceBlocks(this, 'Resource', { type: 'google_secret_manager_secret', prefix: name, movedFrom: name });
    // An adopted secret keeps what it was made with: its replication cannot change in place (a
    // change would replace the secret and lose its versions), and attributes the declaration does
    // not set are left alone. Terraform never destroys it.
    this.adopted = new ResourceBlocks(this, 'Adopted', {
      type: 'google_secret_manager_secret',
      prefix: `adopted_${name}`,
      lifecycle: { prevent_destroy: true, ignore_changes: ['replication', 'rotation', 'topics', 'version_aliases', 'version_destroy_ttl', 'annotations', 'expire_time', 'ttl'] },
      movedFrom: `adopted_${name}`,
    });
    this.grants = new SecretAccessorGrants(this, 'Accessors', { project: props.project, resourceName: name === COLLECTIONS.gcpSecrets ? undefined : `${name}_accessors` });
    for (const s of Object.values(props.secrets ?? {})) this.addSecret(s);
  }

  /** Adds a secret to the set. */
  public addSecret(spec: SecretSpec): void {
    if (this.specs.has(spec.secretId)) throw new Error(`${this.node.path}: secret ${spec.secretId} is already in the set`);
    this.specs.set(spec.secretId, spec);
    const labels = sortedRecord(spec.labels);
    if (spec.adopt) {
      this.adopted.add(
        spec.secretId,
        { project: this.project, secret_id: spec.secretId, labels, deletion_protection: true, replication: this.replication },
        { importId: `projects/${this.project}/secrets/${spec.secretId}` },
      );
    } else {
      this.created.add(spec.secretId, {
        project: this.project,
        secret_id: spec.secretId,
        labels,
        deletion_protection: spec.deletionProtection ?? this.defaultProtection,
        replication: this.replication,
      });
    }
  }

  /** Secret ids in the set, sorted. */
  public get secretIds(): string[] {
    return [...this.specs.keys()].sort();
  }

  /** Address of a secret's block (`google_secret_manager_secret.secrets_<id>`). */
  public addressOf(secretId: string): string {
    const s = this.specs.get(secretId);
    if (!s) throw new Error(`${this.node.path}: ${secretId} is not a secret of this set`);
    return (s.adopt ? this.adopted : this.created).addressOf(secretId);
  }

  /**
   * Grants `roles/secretmanager.secretAccessor` on one secret of the set to one IAM member, as a
   * non-authoritative `google_secret_manager_secret_iam_member` that waits for that secret.
   *
   * @param secretId a secret of this set
   * @param member IAM member, e.g. a Workload Identity `principal://...` or `serviceAccount:...`
   * @param key key of the grant @default "<member>/<secretId>"
   * @param after other addresses the grant waits for (the service account it names) @default - none
   * @param adopt the grant exists (a binding script made it): import it @default false
   */
  public grantRead(secretId: string, member: string, key?: string, after: readonly string[] = [], adopt = false): SecretGrant {
    if (!this.specs.has(secretId)) throw new Error(`${this.node.path}: cannot grant read on ${secretId}: it is not a secret of this set`);
    return this.grants.add({ secretId, member, key: key ?? `${member}/${secretId}`, adopt }, [this.addressOf(secretId), ...after]);
  }
}
