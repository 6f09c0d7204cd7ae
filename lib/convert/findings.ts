/**
 * What a conversion found to report: one line per finding, `FILE[#N]: level: message` (N is the
 * YAML document, or the line of a script). No cdktf here.
 */
export type FindingLevel = 'error' | 'warning' | 'note';

export interface Finding {
  readonly file: string;
  /** 1-based YAML document, or line of a script. */
  readonly at?: number;
  readonly level: FindingLevel;
  readonly message: string;
}

export function formatFinding(f: Finding): string {
  return `${f.file}${f.at !== undefined ? `#${f.at}` : ''}: ${f.level}: ${f.message}`;
}

/** One key of a Kubernetes Secret, converted: where it is delivered and what it reads. */
export interface ConvertedKey {
  readonly platform: 'gcp' | 'azure';
  readonly service: string;
  readonly namespace: string;
  /** The Kubernetes Secret. */
  readonly secret: string;
  /** Its key. */
  readonly key: string;
  /** The remote secret: a Secret Manager id or a Key Vault secret name. */
  readonly remoteName: string;
  readonly version?: string;
  readonly property?: string;
  /** GCP project the remote secret is in, when the input names one. */
  readonly project?: string;
  /** Key Vault of the remote secret, when the input names one. */
  readonly vault?: string;
  /** The Kubernetes service account the service's identity is (when the input says). */
  readonly serviceAccount?: string;
  /** Its existing Google service account (the older pattern), by account id. */
  readonly googleServiceAccount?: string;
  /** The accessor grant exists (a binding script made it): imported, not created. */
  readonly grantExists?: boolean;
  readonly from: { readonly file: string; readonly at?: number };
}

/** Levenshtein distance, for suggestions. */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}
