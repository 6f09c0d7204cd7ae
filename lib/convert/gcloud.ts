/**
 * `gcloud ... add-iam-policy-binding` scripts (shell, or Markdown code blocks with `$ ` prompts)
 * read into converted keys: each accessor grant on a secret becomes the key of the service whose
 * identity it names. Project-wide grants are reported as access to remove; what the script does
 * not say (unassigned variables, the Kubernetes Secret and key names) is reported, never guessed.
 */
import { commandsOf, shellOfMarkdown, type Command, type ShellNote, type Word } from './shell';
import { RULES, satisfies } from '../declaration/rules';
import type { ConvertedKey, Finding } from './findings';

const ACCESSOR = 'roles/secretmanager.secretAccessor';
const WORKLOAD_IDENTITY_USER = 'roles/iam.workloadIdentityUser';
const PRINCIPAL = /^principal:\/\/iam\.googleapis\.com\/projects\/[0-9]+\/locations\/global\/workloadIdentityPools\/([^/]+)\.svc\.id\.goog\/subject\/ns\/([^/]+)\/sa\/([^/]+)$/;
const KSA_MEMBER = /^serviceAccount:([^.[\]]+)\.svc\.id\.goog\[([^/\]]+)\/([^\]]+)\]$/;
const GSA_MEMBER = /^serviceAccount:([a-z][-a-z0-9]{4,28}[a-z0-9])@([a-z][-a-z0-9]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/;
const SECRET_NAME = /^projects\/([^/]+)\/secrets\/([^/]+)$/;

/** The name the converter gives a service's Kubernetes Secret (a script cannot know it). */
export function placeholderSecretName(service: string): string {
  return `${service}-secrets`;
}

interface Parsed {
  readonly positional: Word[];
  readonly flags: Map<string, Word>;
}

/** Positional words and `--flag=value` / `--flag value` pairs, after `gcloud [alpha|beta] <group> <verb>`. */
function parse(words: readonly Word[]): Parsed {
  const positional: Word[] = [];
  const flags = new Map<string, Word>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(w.text);
    if (!m) {
      positional.push(w);
      continue;
    }
    if (m[2] !== undefined) flags.set(m[1], { text: m[2], unresolved: w.unresolved });
    else if (i + 1 < words.length && !words[i + 1].text.startsWith('--')) flags.set(m[1], words[++i]);
    else flags.set(m[1], { text: '', unresolved: [] });
  }
  return { positional, flags };
}

interface Grant {
  readonly secret: string;
  readonly project?: string;
  readonly member: Word;
  readonly line: number;
}

/** Reads a script (or, for `.md` files, its code blocks) into converted keys and findings. */
export function convertGcloud(file: string, text: string, o: { readonly project?: string } = {}): { keys: ConvertedKey[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const keys: ConvertedKey[] = [];
  const script = /\.(md|markdown)$/i.test(file) ? shellOfMarkdown(text) : text;
  let commands: Command[];
  const notes: ShellNote[] = [];
  try {
    commands = commandsOf(script, notes);
  } catch (e) {
    return { keys, findings: [{ file, level: 'error', message: `cannot read the script: ${(e as Error).message}` }] };
  }
  const report = (at: number, level: Finding['level'], message: string) => findings.push({ file, at, level, message });
  for (const n of notes) report(n.line, 'warning', n.message);
  const grants: Grant[] = [];
  /** Google service account email -> the Kubernetes service accounts that may act as it. */
  const links = new Map<string, { namespace: string; ksa: string }[]>();
  for (const c of commands) {
    const w = c.words;
    if (w[0]?.text !== 'gcloud') continue;
    const rest = w.slice(1).filter((x, i) => !(i === 0 && (x.text === 'beta' || x.text === 'alpha')));
    const [group, sub, verb] = [rest[0]?.text, rest[1]?.text, rest[2]?.text];
    const args = (n: number) => parse(rest.slice(n));
    if (group === 'secrets' && sub === 'add-iam-policy-binding') {
      const p = args(2);
      const role = p.flags.get('role')?.text;
      const member = p.flags.get('member');
      const secret = p.positional[0];
      if (!secret || !member || !role) {
        report(c.line, 'error', `gcloud secrets add-iam-policy-binding without ${!secret ? 'a secret' : !member ? '--member' : '--role'}: not converted`);
        continue;
      }
      if (role !== ACCESSOR) {
        report(c.line, 'note', `role ${role} on secret ${secret.text} ignored: only ${ACCESSOR} reads a secret`);
        continue;
      }
      const unresolved = [...new Set([...secret.unresolved, ...member.unresolved, ...(p.flags.get('project')?.unresolved ?? [])])];
      if (unresolved.length > 0) {
        report(c.line, 'error', `the grant on ${secret.text} to ${member.text} uses ${unresolved.map((u) => `$${u}`).join(', ')}, which the script does not assign: not converted (assign it in the script, or convert the expanded command)`);
        continue;
      }
      const full = SECRET_NAME.exec(secret.text);
      grants.push({ secret: full ? full[2] : secret.text, project: full ? full[1] : p.flags.get('project')?.text ?? o.project, member, line: c.line });
      continue;
    }
    if (group === 'iam' && sub === 'service-accounts' && verb === 'add-iam-policy-binding') {
      const p = args(3);
      const role = p.flags.get('role')?.text;
      const member = p.flags.get('member')?.text ?? '';
      const gsa = p.positional[0]?.text ?? '';
      const ksa = KSA_MEMBER.exec(member);
      if (role === WORKLOAD_IDENTITY_USER && ksa && gsa) links.set(gsa.replace(/^projects\/[^/]+\/serviceAccounts\//, ''), [...(links.get(gsa) ?? []), { namespace: ksa[2], ksa: ksa[3] }]);
      continue;
    }
    if (group === 'projects' && sub === 'add-iam-policy-binding') {
      const p = args(2);
      if (p.flags.get('role')?.text === ACCESSOR) {
        report(c.line, 'error', `a project-wide ${ACCESSOR} grant to ${p.flags.get('member')?.text ?? '(no member)'} on project ${p.positional[0]?.text ?? '(none)'} reads every secret of the project: access to remove once the per-secret grants are in place, never converted`);
      }
      continue;
    }
  }
  const placeholders = new Set<string>();
  for (const g of grants) {
    const m = g.member.text;
    let identity: { namespace: string; ksa: string; gsa?: string } | undefined;
    const principal = PRINCIPAL.exec(m) ?? KSA_MEMBER.exec(m);
    if (principal) identity = { namespace: principal[2], ksa: principal[3] };
    const gsa = GSA_MEMBER.exec(m);
    if (gsa) {
      const email = m.slice('serviceAccount:'.length);
      const linked = links.get(email) ?? [];
      if (linked.length === 0) {
        report(g.line, 'error', `${m} reads ${g.secret}, and no roles/iam.workloadIdentityUser binding in the input lets a Kubernetes service account act as it: its service is unknown; not converted`);
        continue;
      }
      if (linked.length > 1) report(g.line, 'warning', `${m} may be used by ${linked.map((l) => `${l.namespace}/${l.ksa}`).join(', ')}: converted for ${linked[0].namespace}/${linked[0].ksa}; each service should have its own identity`);
      identity = { ...linked[0], gsa: gsa[1] };
    }
    if (!identity) {
      report(g.line, 'error', `member ${m} of the grant on ${g.secret} is not a Kubernetes workload's identity (principal://.../ns/NS/sa/KSA, serviceAccount:P.svc.id.goog[NS/KSA], or a linked Google service account): not converted`);
      continue;
    }
    if (!satisfies(RULES.secretManagerId, g.secret)) {
      report(g.line, 'error', `secret ${JSON.stringify(g.secret)}: ${RULES.secretManagerId.text}`);
      continue;
    }
    const service = identity.namespace;
    const secret = placeholderSecretName(service);
    if (!placeholders.has(service)) {
      placeholders.add(service);
      report(g.line, 'note', `service ${service}: the Kubernetes Secret is named ${secret} and each key after its remote secret, which a script cannot know: review them`);
    }
    keys.push({
      platform: 'gcp',
      service,
      namespace: identity.namespace,
      secret,
      key: satisfies(RULES.secretDataKey, g.secret) ? g.secret : g.secret.replace(/[^-._a-zA-Z0-9]/g, '_'),
      remoteName: g.secret,
      ...(g.project ? { project: g.project } : {}),
      serviceAccount: identity.ksa,
      ...(identity.gsa ? { googleServiceAccount: identity.gsa } : {}),
      grantExists: true,
      from: { file, at: g.line },
    });
  }
  return { keys, findings };
}
