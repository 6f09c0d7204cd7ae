/**
 * The policy rule pack's vocabulary: plain data and functions over synthesized Terraform JSON,
 * with no cdktf import (the Aspect that runs them lives in policy-aspect.ts).
 */
import type { KubernetesObject } from '../kubernetes/objects';

export type Severity = 'error' | 'warning';

/** One Terraform resource instance of a synthesized stack. */
export interface ResourceInstance {
  readonly type: string;
  /** Block name. */
  readonly name: string;
  /** Collection the block belongs to (its name prefix), or the `for_each` resource's name. */
  readonly collection?: string;
  /** Key in the collection, or the `for_each` key. */
  readonly key?: string;
  /** What the block is for, as the construct that made it recorded (`deployer-access`, `own-vault-reader`). @default - not recorded */
  readonly purpose?: string;
  /** Terraform address: `type.name` or `type.name["key"]`. */
  readonly address: string;
  /**
   * The block's arguments with `${each.value.x}` and `${each.key}` put in for this instance (a
   * block's `//` comment may be among them).
   */
  readonly config: Readonly<Record<string, any>>;
}

/** Where a secret came from in the declaration. */
export interface SecretOrigin {
  readonly service: string;
  readonly key: string;
  readonly declaredAt: string;
  /** Declared remoteName (adopted or explicitly named), if any. */
  readonly remoteName?: string;
  /** The name the naming rule gives, when no remoteName is declared. */
  readonly derivedName: string;
}

/** What the declaration says about one environment on one cloud, for rules that need it. */
export interface EnvironmentFacts {
  readonly environment: string;
  readonly cloud: 'gcp' | 'azure';
  readonly production: boolean;
  /** The environment's Kubernetes objects (client ids as placeholders). */
  readonly objects: readonly KubernetesObject[];
  /** By remote secret name. */
  readonly secrets: Readonly<Record<string, SecretOrigin>>;
  /** IAM member (GCP) or principal id expression (Azure) of each service's identity, by service. */
  readonly members: Readonly<Record<string, string>>;
  /** `reader/secret` pairs that the declaration's `from` allows across services. */
  readonly fromReads: readonly string[];
  /** Declaration path of each reader's grant, by `reader/secret`. */
  readonly readers: Readonly<Record<string, string>>;
  /**
   * In a sharded environment, what other shards of the same environment provide: remote secret
   * names, and `name\u0000member` pairs their grants allow (from the plan).
   */
  readonly elsewhere?: { readonly secrets: readonly string[]; readonly readable: readonly string[] };
  /** Azure: the vault of each secret the environment owns, by secret name in lower case. */
  readonly keyVaults?: Readonly<Record<string, string>>;
  /** GCP: project number and project, to name principals. */
  readonly projectNumber?: string;
  readonly project?: string;
}

export interface RuleContext {
  readonly stack: string;
  readonly instances: readonly ResourceInstance[];
  /** Present on an environment's cloud stack. */
  readonly facts?: EnvironmentFacts;
}

/** A broken rule, before suppressions. */
export interface Violation {
  /** Terraform address, or `Kind/namespace/name` of a manifest. */
  readonly resource: string;
  readonly message: string;
  /** Declaration path that caused it, when known. */
  readonly declarationPath?: string;
}

export interface PolicyRule {
  /** Stable id, e.g. SW-IAM-001. */
  readonly id: string;
  readonly severity: Severity;
  /** One line: what the rule requires. */
  readonly description: string;
  /** How to fix a violation. */
  readonly fix: string;
  check(ctx: RuleContext): Violation[];
}

export interface Finding extends Violation {
  readonly rule: string;
  readonly severity: Severity;
  readonly stack: string;
  readonly fix: string;
  /** Set when a suppression in the declaration excuses it. */
  readonly suppressed?: { readonly reason: string; readonly at: string };
}

/** Something worth knowing that breaks no rule (an adopted secret name, say). */
export interface Note {
  readonly rule: string;
  readonly stack: string;
  readonly resource: string;
  readonly message: string;
  readonly declarationPath?: string;
}
