import { Construct } from 'constructs';
import type { SecretManagerSecretConfig, SecretManagerSecretReplication } from '@cdktf/provider-google/lib/secret-manager-secret';
import type { BlockBody } from '../terraform/block-body';
import { ResourceBlocks } from '../terraform/resource-blocks';
import { sortedRecord } from '../util/sorted-record';
import { COLLECTIONS } from '../terraform/addresses';
import { SecretAccessorGrants, type SecretGrant } from './secret-accessor-grants';
import type { ISecretManagerReader } from './secret-manager-reader';
import { ConstructChecks, requireLiteral, requireProps } from '../terraform/construct-checks';
import { claimObject } from '../terraform/address-claims';
import { grantKey } from '../terraform/grant-key';
import { RULES } from '../declaration/rules';

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
  /**
   * Labels on every secret of the set, under each secret's own (the rule pack asks for
   * `managed-by`, `service` and `environment`). @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /** Secrets of the set. @default - none; add them with addSecret */
  readonly secrets?: readonly SecretSpec[];
  /**
   * Block name prefix of the secrets (`google_secret_manager_secret.<name>_<secret id>`; adopted
   * ones `adopted_<name>_<secret id>`).
   * @default "secrets"
   */
  readonly resourceName?: string;
}

/** Options of a grant. */
export interface SecretGrantOptions {
  /**
   * Key of the grant, which its Terraform name is made from.
   * @default "<reader key>/<secret id>", or "<member>/<secret id>" for a member given as a string
   */
  readonly key?: string;
  /** Other addresses the grant waits for, besides its secret and the reader's. @default - none */
  readonly after?: readonly string[];
  /** The grant exists (a binding script made it): import it. @default false */
  readonly adopt?: boolean;
}

/** A secret of a set, with the grants on it. */
export interface SecretManagerSecretHandle {
  /** Its Secret Manager secret id. */
  readonly secretId: string;
  /** Address of its block. */
  readonly address: string;
  /** Terraform expression of its id (`projects/P/secrets/ID`), for resources of the user's own. */
  readonly id: string;
  /** Grants `roles/secretmanager.secretAccessor` on this secret alone. */
  grantRead(reader: ISecretManagerReader | string, options?: SecretGrantOptions): SecretGrant;
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
  private readonly checks: ConstructChecks;
  private readonly labels?: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: SecretManagerSecretsProps) {
    super(scope, id);
    requireProps(this, props);
    this.project = props.project;
    this.checks = new ConstructChecks(this);
    this.checks.rule('project', props.project, RULES.gcpProjectId);
    this.checks.record('labels', props.labels, RULES.gcpLabelKey, RULES.gcpLabelValue);
    this.labels = props.labels;
    (props.replicaLocations ?? []).forEach((l, i) => this.checks.rule(`replicaLocations[${i}]`, l, RULES.gcpRegion));
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
    if (props.secrets !== undefined && !Array.isArray(props.secrets)) throw new Error(`${this.node.path}: secrets ${JSON.stringify(props.secrets)} is not a list of secrets ({ secretId, labels?, adopt?, deletionProtection? })`);
    for (const s of props.secrets ?? []) this.addSecret(s);
  }

  /** Adds a secret to the set; returns its handle. */
  public addSecret(spec: SecretSpec): SecretManagerSecretHandle {
    requireLiteral(`${this.node.path}: addSecret`, 'secretId', spec?.secretId);
    if (this.specs.has(spec.secretId)) throw new Error(`${this.node.path}: secret ${spec.secretId} is already in the set`);
    const at = `secrets[${JSON.stringify(spec.secretId)}]`;
    this.checks.rule(`${at}.secretId`, spec.secretId, RULES.secretManagerId);
    this.checks.record(`${at}.labels`, spec.labels, RULES.gcpLabelKey, RULES.gcpLabelValue);
    claimObject(this, 'Secret Manager secret', `${this.project}/${spec.secretId}`, spec.secretId);
    this.specs.set(spec.secretId, spec);
    const labels = sortedRecord(this.labels || spec.labels ? { ...this.labels, ...spec.labels } : undefined);
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
    return this.secret(spec.secretId);
  }

  /** The handle of a secret of the set. */
  public secret(secretId: string): SecretManagerSecretHandle {
    const address = this.addressOf(secretId);
    const s = this.specs.get(secretId)!;
    const id = (s.adopt ? this.adopted : this.created).ref(secretId, 'id');
    return { secretId, address, id, grantRead: (reader, options) => this.grantRead(secretId, reader, options) };
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
   * Grants `roles/secretmanager.secretAccessor` on one secret of the set to one reader, as a
   * non-authoritative `google_secret_manager_secret_iam_member` that waits for that secret (and for
   * what the reader names, its service account).
   *
   * @param secretId a secret of this set
   * @param reader a reader (`serviceAccounts.account("billing")`, `workloadIdentityReader(...)`), or
   *   an IAM member as a literal string (`principal://...`, `serviceAccount:...`)
   */
  public grantRead(secretId: string, reader: ISecretManagerReader | string, options: SecretGrantOptions = {}): SecretGrant {
    if (!this.specs.has(secretId)) throw new Error(`${this.node.path}: cannot grant read on ${secretId}: it is not a secret of this set`);
    const where = `${this.node.path}: grantRead(${JSON.stringify(secretId)})`;
    const key = grantKey(where, secretId, reader, options.key, 'serviceAccounts.account("billing"), or { readerKey, member }');
    const member = typeof reader === 'string' ? reader : reader.member;
    const waitFor = typeof reader === 'string' ? [] : (reader.waitFor ?? []);
    return this.grants.add({ secretId, member, key, adopt: options.adopt }, [this.addressOf(secretId), ...waitFor, ...(options.after ?? [])]);
  }

  /** Every grant of the set, sorted by key. */
  public get allGrants(): SecretGrant[] {
    return this.grants.allGrants;
  }
}
