import { workloadIdentityPrincipal } from '../declaration/naming';
import { RULES, satisfies, type NameRule } from '../declaration/rules';

/**
 * Who can be given read access to Secret Manager secrets: an IAM member with a key known at plan
 * time, and what its grants must wait for.
 *
 * A grant's Terraform name is made from its key, so the key comes from the reader, never from a
 * member that may be a Terraform expression. `WorkloadServiceAccounts.account(key)` returns one;
 * `workloadIdentityReader(...)` makes one for a Kubernetes service account (Workload Identity).
 */
export interface ISecretManagerReader {
  /** Stable key of the reader (a service name), part of its grants' Terraform names. */
  readonly readerKey: string;
  /** IAM member: `principal://...` (Workload Identity), `serviceAccount:EMAIL`, ... */
  readonly member: string;
  /** Addresses a grant to this reader waits for (its service account). @default - none */
  readonly waitFor?: readonly string[];
}

/**
 * The reader for a Kubernetes service account through GKE Workload Identity: the account itself is
 * the IAM principal (`principal://.../subject/ns/NAMESPACE/sa/NAME`), keyed `NAMESPACE/NAME`.
 *
 * @param readerKey key of its grants @default "<namespace>/<serviceAccount>"
 */
export function workloadIdentityReader(projectNumber: string, project: string, namespace: string, serviceAccount: string, readerKey?: string): ISecretManagerReader {
  const fields: [string, unknown, NameRule][] = [
    ['projectNumber', projectNumber, RULES.gcpProjectNumber],
    ['project', project, RULES.gcpProjectId],
    ['namespace', namespace, RULES.dns1123Label],
    ['serviceAccount', serviceAccount, RULES.dns1123Subdomain],
  ];
  const problems = fields
    .filter(([, v, r]) => typeof v !== 'string' || !satisfies(r, v))
    .map(([f, v, r]) => `${f} ${JSON.stringify(v)} breaks rule ${r.id}: ${r.text}`);
  if (problems.length > 0) throw new Error(`workloadIdentityReader: ${problems.join('; ')}`);
  return { readerKey: readerKey ?? `${namespace}/${serviceAccount}`, member: workloadIdentityPrincipal(projectNumber, project, namespace, serviceAccount) };
}
