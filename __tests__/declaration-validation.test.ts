import { formatPath } from '../lib/declaration/problem';
import { parseDeclaration } from '../lib/declaration/load';
import { RULES } from '../lib/declaration/rules';
import { VALUE_RULE } from '../lib/declaration/structure';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { EXIT_INVALID_DECLARATION } from '../stacks/synthesize';
import { baseDeclaration, declarationWith, problemsOf } from './support/fixtures';
import { synthIn } from './support/synth';


/** The single problem at `path`, asserting the message names path, value and rule. */
function expectProblem(decl: unknown, path: string, value: unknown, rule: RegExp | string): void {
  let message = '';
  try {
    parseDeclaration(decl);
  } catch (e) {
    message = (e as Error).message;
  }
  const problems = problemsOf(decl);
  const at = problems.filter((p) => formatPath(p.path) === path);
  expect(at.map((p) => p.rule)).toEqual([expect.stringMatching(typeof rule === 'string' ? escape(rule) : rule)]);
  expect(at[0].value).toEqual(value);
  // The message carries all three: the path, the value as JSON, and the rule.
  const line = message.split('\n').find((l) => l.includes(`${path}:`) || l.includes(`${path} (line`));
  expect(line).toBeDefined();
  // Long values are shortened in messages; their start is always there.
  if (value !== undefined) expect(line).toContain(JSON.stringify(value).slice(0, 60));
  expect(line).toContain(at[0].rule);
  // The same file through the command: exit code 1, the problem on stderr, nothing written.
  const root = mkdtempSync(join(tmpdir(), 'rule-'));
  writeFileSync(join(root, 'secrets.yaml'), stringify(decl));
  const r = synthIn(root, 'secrets.yaml');
  expect(r.code).toBe(EXIT_INVALID_DECLARATION);
  expect(r.stderr.join('\n')).toContain(at[0].rule);
  expect(readdirSync(root)).toEqual(['secrets.yaml']);
}

function escape(s: string): RegExp {
  return new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

describe('a valid declaration', () => {
  test('GIVEN the base fixture WHEN validated THEN it resolves with defaults applied', () => {
    const model = parseDeclaration(baseDeclaration());
    const a = model.services.find((s) => s.name === 'service-a')!;
    expect(a.namespace).toBe('service-a');
    expect(a.serviceAccount).toBe('service-a-secrets');
    expect(a.createNamespace).toBe(true);
    expect(model.environments.map((e) => [e.name, e.gcp!.identity, e.gcp!.deletionProtection, e.manifests])).toEqual([
      // One owner per object: GitOps files only, unless the declaration says otherwise.
      ['evaluation', 'workloadIdentity', true, { terraform: false, gitops: true }],
      ['production', 'workloadIdentity', true, { terraform: false, gitops: true }],
    ]);
    const debug = a.secrets[0].keys.find((k) => k.key === 'DEBUG_KEY')!;
    expect(debug.environments).toEqual(['evaluation']);
    const token = a.secrets[0].keys.find((k) => k.key === 'API_TOKEN')!;
    expect(token.source).toEqual({ kind: 'own', remoteName: 'hoge-token', adopt: true, labels: {} });
  });
});

describe('structural rules', () => {
  test('unknown field', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-a'].secrets['secret-a'].FOO_PASSWORD.remoteNmae = 'x')),
      'services.service-a.secrets.secret-a.FOO_PASSWORD.remoteNmae',
      '<redacted>',
      /unknown field "remoteNmae"; allowed fields: remoteName, adopt, version, property, environments, from, labels, deletionProtection, suppressions; secret values never belong/,
    );
  });

  test('wrong type: a project number given as a YAML number', () => {
    expectProblem(
      declarationWith((d) => (d.environments.evaluation.gcp.projectNumber = 111111111111)),
      'environments.evaluation.gcp.projectNumber',
      111111111111,
      /must be a string, not a number \(a GCP project number is a string of 6-19 digits/,
    );
  });

  test('required field missing', () => {
    expectProblem(
      declarationWith((d) => delete d.environments.production.gcp.clusters),
      'environments.production.gcp.clusters',
      undefined,
      'required field is missing',
    );
  });

  test('a remoteName that Secret Manager would reject', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-a'].secrets['secret-a'].API_TOKEN.remoteName = 'hoge/token')),
      'services.service-a.secrets.secret-a.API_TOKEN.remoteName',
      'hoge/token',
      RULES.secretManagerId.text,
    );
  });

  test('a namespace that is not a DNS-1123 label', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-a'].namespace = 'Service_A')),
      'services.service-a.namespace',
      'Service_A',
      RULES.dns1123Label.text,
    );
  });

  test('a namespace longer than 63 characters', () => {
    const long = 'a'.repeat(64);
    expectProblem(declarationWith((d) => (d.services['service-a'].namespace = long)), 'services.service-a.namespace', long, RULES.dns1123Label.text);
  });

  test('a Kubernetes Secret name that is not a DNS-1123 subdomain', () => {
    expectProblem(
      declarationWith((d) => {
        d.services['service-a'].secrets.Secret_A = d.services['service-a'].secrets['secret-a'];
        delete d.services['service-a'].secrets['secret-a'];
        delete d.services['service-b'].secrets['secret-b'].FOO_PASSWORD;
      }),
      'services.service-a.secrets.Secret_A',
      'Secret_A',
      RULES.dns1123Subdomain.text,
    );
  });

  test('a Secret key with characters Kubernetes rejects', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-b'].secrets['secret-b']['BAR PASSWORD'] = {})),
      'services.service-b.secrets.secret-b["BAR PASSWORD"]',
      'BAR PASSWORD',
      RULES.secretDataKey.text,
    );
  });

  test('a service name that is not a valid name', () => {
    expectProblem(
      declarationWith((d) => (d.services.Service_C = { secrets: { s: { K: {} } } })),
      'services.Service_C',
      'Service_C',
      RULES.serviceName.text,
    );
  });

  test('a label value GCP would reject', () => {
    expectProblem(
      declarationWith((d) => (d.environments.evaluation.gcp.labels = { team: 'Kernel Team' })),
      'environments.evaluation.gcp.labels.team',
      'Kernel Team',
      RULES.gcpLabelValue.text,
    );
  });

  test('a label key GCP would reject', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-a'].labels = { '1team': 'x' })),
      'services.service-a.labels["1team"]',
      '1team',
      RULES.gcpLabelKey.text,
    );
  });

  test('a version that is neither a number nor latest', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-a'].secrets['secret-a'].API_TOKEN.version = 'v1')),
      'services.service-a.secrets.secret-a.API_TOKEN.version',
      'v1',
      RULES.secretVersion.text,
    );
  });

  test('an environment name that cannot name a stack', () => {
    expectProblem(
      declarationWith((d) => (d.environments.Staging = d.environments.evaluation)),
      'environments.Staging',
      'Staging',
      RULES.environmentName.text,
    );
  });

  test('a cluster location that is not a region or zone', () => {
    expectProblem(
      declarationWith((d) => (d.environments.evaluation.gcp.clusters[1].location = 'tokyo')),
      'environments.evaluation.gcp.clusters[1].location',
      'tokyo',
      RULES.gcpLocation.text,
    );
  });

  test('an identity mode that does not exist', () => {
    expectProblem(
      declarationWith((d) => (d.environments.evaluation.gcp.identity = 'keys')),
      'environments.evaluation.gcp.identity',
      'keys',
      'one of workloadIdentity, googleServiceAccount',
    );
  });

  test('a secret value pasted into the declaration is refused and not echoed', () => {
    const decl = declarationWith((d) => (d.services['service-a'].secrets['secret-a'].FOO_PASSWORD.value = 'hunter2-canary'));
    expectProblem(decl, 'services.service-a.secrets.secret-a.FOO_PASSWORD.value', '<redacted>', VALUE_RULE);
    let message = '';
    try {
      parseDeclaration(decl);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toContain('hunter2-canary');
  });
});

test.each([
  ['a key given a value instead of options', (d: any) => (d.services['service-a'].secrets['secret-a'].DB_PASSWORD = 'hunter2-canary'), 'services.service-a.secrets.secret-a.DB_PASSWORD'],
  ['a Kubernetes Secret given a value', (d: any) => (d.services['service-b'].secrets['secret-c'] = 'hunter2-canary'), 'services.service-b.secrets.secret-c'],
  ['an unknown option holding a value', (d: any) => (d.services['service-a'].secrets['secret-a'].FOO_PASSWORD.secret = 'hunter2-canary'), 'services.service-a.secrets.secret-a.FOO_PASSWORD.secret'],
  ['a value in a list', (d: any) => (d.services['service-a'].secrets['secret-a'].FOO_PASSWORD = ['hunter2-canary']), 'services.service-a.secrets.secret-a.FOO_PASSWORD'],
])('%s is refused without echoing it', (_, edit, path) => {
  const decl = declarationWith(edit);
  let message = '';
  try {
    parseDeclaration(decl);
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toContain(path);
  expect(message).toContain('secret values never belong in the declaration');
  expect(message).not.toContain('hunter2-canary');
  const root = mkdtempSync(join(tmpdir(), 'canary-'));
  writeFileSync(join(root, 'secrets.yaml'), stringify(decl));
  const r = synthIn(root, 'secrets.yaml');
  expect(r.code).toBe(EXIT_INVALID_DECLARATION);
  expect([...r.stderr, ...r.stdout].join('\n')).not.toContain('hunter2-canary');
});

describe('cross-field rules', () => {
  test('a key in an unknown environment', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-a'].secrets['secret-a'].DEBUG_KEY.environments = ['staging'])),
      'services.service-a.secrets.secret-a.DEBUG_KEY.environments[0]',
      'staging',
      /unknown environment; declared environments: evaluation, production/,
    );
  });

  test('a service in an unknown environment', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-b'].environments = ['evaluation', 'prod'])),
      'services.service-b.environments[1]',
      'prod',
      /unknown environment/,
    );
  });

  test('a key in an environment its service is not deployed in', () => {
    expectProblem(
      declarationWith((d) => {
        d.services['service-b'].environments = ['production'];
        d.services['service-b'].secrets['secret-b'].BAR_PASSWORD.environments = ['evaluation'];
      }),
      'services.service-b.secrets.secret-b.BAR_PASSWORD.environments[0]',
      'evaluation',
      /service service-b is not deployed in environment evaluation/,
    );
  });

  test.each([
    ['service-x/secret-a/FOO_PASSWORD', /no service named service-x/],
    ['service-a/secret-x/FOO_PASSWORD', /service service-a declares no Kubernetes Secret secret-x/],
    ['service-a/secret-a/NOPE', /service-a\/secret-a has no key NOPE/],
  ])('a from that points nowhere: %s', (from, rule) => {
    expectProblem(
      declarationWith((d) => (d.services['service-b'].secrets['secret-b'].FOO_PASSWORD.from = from)),
      'services.service-b.secrets.secret-b.FOO_PASSWORD.from',
      from,
      rule,
    );
  });

  test('a from that points at a secret absent in that environment', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-b'].secrets['secret-b'].DEBUG = { from: 'service-a/secret-a/DEBUG_KEY' })),
      'services.service-b.secrets.secret-b.DEBUG.from',
      'service-a/secret-a/DEBUG_KEY',
      /service-a\/secret-a\/DEBUG_KEY does not exist in environment production \(it exists in: evaluation\)/,
    );
  });

  test('a from limited to the environments of its target is accepted', () => {
    const decl = declarationWith((d) => (d.services['service-b'].secrets['secret-b'].DEBUG = { from: 'service-a/secret-a/DEBUG_KEY', environments: ['evaluation'] }));
    expect(() => parseDeclaration(decl)).not.toThrow();
  });

  test('from combined with remoteName', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-b'].secrets['secret-b'].FOO_PASSWORD.remoteName = 'foo')),
      'services.service-b.secrets.secret-b.FOO_PASSWORD.remoteName',
      'foo',
      /remoteName cannot be combined with from: the remote secret belongs to service-a/,
    );
  });

  test('a from that points at another from', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-a'].secrets['secret-a'].BAR = { from: 'service-b/secret-b/FOO_PASSWORD' })),
      'services.service-a.secrets.secret-a.BAR.from',
      'service-b/secret-b/FOO_PASSWORD',
      /from must name a key that owns its remote secret, not another from/,
    );
  });

  test('two services that map to the same remote name', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-b'].secrets['secret-b'].TOKEN = { remoteName: 'hoge-token' })),
      'services.service-b.secrets.secret-b.TOKEN.remoteName',
      'hoge-token',
      /maps to secret id hoge-token in project demo-evaluation, which services.service-a.secrets.secret-a.API_TOKEN already maps to; two keys cannot share a remote secret \(read the other one with from: service-a\/secret-a\/API_TOKEN\)/,
    );
  });

  test('two keys of one service whose derived names are equal', () => {
    expectProblem(
      declarationWith((d) => {
        d.services['service-a'].secrets['secret-a']['FOO-PASSWORD'] = {};
        d.services['service-a'].secrets['secret-a']['FOO.PASSWORD'] = {};
      }),
      'services.service-a.secrets.secret-a["FOO.PASSWORD"]',
      'service-a_FOO-PASSWORD',
      /maps to secret id service-a_FOO-PASSWORD in project demo-evaluation, which services.service-a.secrets.secret-a.FOO-PASSWORD already maps to/,
    );
  });

  test('the same key in two Kubernetes Secrets of one service without remoteName collides', () => {
    const problems = problemsOf(declarationWith((d) => (d.services['service-a'].secrets['secret-a2'] = { FOO_PASSWORD: {} })));
    expect(problems).toEqual([
      expect.objectContaining({
        path: ['services', 'service-a', 'secrets', 'secret-a2', 'FOO_PASSWORD'],
        value: 'service-a_FOO_PASSWORD',
        rule: expect.stringMatching(/give one of them its own remoteName if they hold different values, or read the other with from: service-a\/secret-a\/FOO_PASSWORD/),
      }),
    ]);
  });

  test('one explicit remote secret delivered into two Kubernetes Secrets of its service is allowed', () => {
    const decl = declarationWith((d) => (d.services['service-a'].secrets['secret-a2'] = { TOKEN: { remoteName: 'hoge-token', version: '1' } }));
    expect(() => parseDeclaration(decl)).not.toThrow();
  });

  test('a derived name of one service equal to the remoteName of another', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-b'].secrets['secret-b'].OTHER = { remoteName: 'service-a_FOO_PASSWORD' })),
      'services.service-b.secrets.secret-b.OTHER.remoteName',
      'service-a_FOO_PASSWORD',
      /two keys cannot share a remote secret/,
    );
  });

  test('environments sharing a project collide unless one sets secretIdPrefix', () => {
    const sharing = (d: any) => {
      d.environments.production.gcp.project = 'demo-evaluation';
      d.environments.production.gcp.projectNumber = '111111111111';
      d.environments.production.gcp.clusters = [{ name: 'prod', location: 'asia-northeast1' }];
      // Production's services run as service accounts of their own (one project is one identity pool).
      d.services['service-a'].serviceAccount = 'service-a-secrets-both';
    };
    const problems = problemsOf(declarationWith(sharing)).filter((p) => !formatPath(p.path).endsWith('serviceAccount'));
    const derived = problems.filter((p) => !formatPath(p.path).endsWith('remoteName'));
    expect(derived.length).toBeGreaterThan(0);
    expect(derived.every((p) => /in environments evaluation and production, which share that project; set gcp.secretIdPrefix/.test(p.rule))).toBe(true);
    const prefixed = declarationWith((d) => {
      sharing(d);
      d.environments.production.gcp.secretIdPrefix = 'prod-';
    });
    // hoge-token is adopted by name and a remoteName is not prefixed, so it still collides; every derived id is now distinct.
    expect(problemsOf(prefixed).filter((p) => !formatPath(p.path).endsWith('serviceAccount')).map((p) => [formatPath(p.path), p.rule])).toEqual([
      ['services.service-a.secrets.secret-a.API_TOKEN.remoteName', expect.stringMatching(/a remoteName is not prefixed, so give each environment's key its own remoteName/)],
    ]);
  });

  test('a derived secret id longer than Secret Manager allows', () => {
    const key = 'K'.repeat(250);
    expectProblem(
      declarationWith((d) => (d.services['service-b'].secrets['secret-b'][key] = {})),
      `services.service-b.secrets.secret-b.${key}`,
      `service-b_${key}`,
      /derived secret id .* is not valid: a Secret Manager secret id is 1-255/,
    );
  });

  test('two services sharing one Kubernetes service account', () => {
    expectProblem(
      declarationWith((d) => {
        d.services['service-b'].namespace = 'service-a';
        d.services['service-b'].serviceAccount = 'service-a-secrets';
      }),
      'services.service-b.serviceAccount',
      'service-a-secrets',
      /service account service-a\/service-a-secrets is also the identity of service service-a in environment evaluation, production; each service needs its own/,
    );
  });

  test('two services producing the same Kubernetes Secret in one namespace', () => {
    expectProblem(
      declarationWith((d) => {
        d.services['service-b'].namespace = 'service-a';
        d.services['service-b'].secrets['secret-a'] = { X: {} };
      }),
      'services.service-b.secrets.secret-a',
      'secret-a',
      /Kubernetes Secret service-a\/secret-a is also produced by service service-a/,
    );
  });

  test('a label key the product reserves', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-a'].labels = { service: 'other' })),
      'services.service-a.labels.service',
      'service',
      /label key "service" is set by the product/,
    );
  });

  test('adopt without remoteName', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-a'].secrets['secret-a'].FOO_PASSWORD.adopt = true)),
      'services.service-a.secrets.secret-a.FOO_PASSWORD.adopt',
      true,
      /adopt applies only to a key with remoteName/,
    );
  });

  test('two clusters of one environment with the same name', () => {
    expectProblem(
      declarationWith((d) => (d.environments.evaluation.gcp.clusters[1].name = 'admin')),
      'environments.evaluation.gcp.clusters[1].name',
      'admin',
      /cluster names must be unique within an environment \(also at clusters\[0\]\)/,
    );
  });

  test('an environment without a cloud', () => {
    expectProblem(declarationWith((d) => (d.environments.staging = {})), 'environments.staging', {}, /an environment needs a cloud section/);
  });
});

describe('declarations that would deploy broken', () => {
  test('one project with two numbers', () => {
    expectProblem(
      declarationWith((d) => Object.assign(d.environments.production.gcp, { project: 'demo-evaluation', secretIdPrefix: 'p-' }) && delete d.services['service-a'].secrets['secret-a'].API_TOKEN),
      'environments.production.gcp.projectNumber',
      '222222222222',
      /project demo-evaluation has number 111111111111 in environment evaluation; a project has one number/,
    );
  });

  test('one cluster in two environments', () => {
    expectProblem(
      declarationWith((d) => Object.assign(d.environments.production.gcp, { project: 'demo-evaluation', projectNumber: '111111111111', secretIdPrefix: 'p-' }) && delete d.services['service-a'].secrets['secret-a'].API_TOKEN),
      'environments.production.gcp.clusters',
      'admin',
      /cluster admin \(asia-northeast1\) of project demo-evaluation is also a cluster of environment evaluation/,
    );
  });

  test('both manifest modes off', () => {
    expectProblem(declarationWith((d) => (d.environments.evaluation.manifests = { terraform: false, gitops: false })), 'environments.evaluation.manifests', { terraform: false, gitops: false }, /reach no cluster/);
  });

  test('a refresh interval of zero', () => {
    expectProblem(declarationWith((d) => (d.environments.evaluation.refreshInterval = '0s')), 'environments.evaluation.refreshInterval', '0s', /must be longer than 0s/);
  });

  test('a chart that does not serve external-secrets.io/v1', () => {
    expectProblem(
      declarationWith((d) => (d.environments.evaluation.gcp.externalSecrets = { chartVersion: '0.5.0' })),
      'environments.evaluation.gcp.externalSecrets.chartVersion',
      '0.5.0',
      /pin 1.x or 2.x/,
    );
  });

  test('creating the system namespace default', () => {
    expectProblem(declarationWith((d) => (d.services['service-a'].namespace = 'default')), 'services.service-a.namespace', 'default', /set createNamespace: false to use it/);
    expect(() => parseDeclaration(declarationWith((d) => Object.assign(d.services['service-a'], { namespace: 'default', createNamespace: false })))).not.toThrow();
  });

  test('kube-system, created or not', () => {
    for (const createNamespace of [true, false]) {
      expectProblem(
        declarationWith((d) => Object.assign(d.services['service-a'], { namespace: 'kube-system', createNamespace })),
        'services.service-a.namespace',
        'kube-system',
        /kube-system is the cluster's own namespace, where the Secrets Store CSI driver runs/,
      );
    }
  });

  test('a from naming its own key', () => {
    expectProblem(
      declarationWith((d) => (d.services['service-b'].secrets['secret-b'].FOO_PASSWORD.from = 'service-b/secret-b/FOO_PASSWORD')),
      'services.service-b.secrets.secret-b.FOO_PASSWORD.from',
      'service-b/secret-b/FOO_PASSWORD',
      /from must not name the key itself/,
    );
  });
});

describe('every problem at once', () => {
  test('GIVEN four unrelated mistakes WHEN validated THEN all four are reported in one error', () => {
    const decl = declarationWith((d) => {
      d.environments.evaluation.gcp.labels = { team: 'Kernel' };
      d.services['service-a'].namespace = 'A';
      d.services['service-b'].secrets['secret-b'].FOO_PASSWORD.from = 'nobody/x/Y';
      d.services['service-b'].surprise = true;
    });
    // Structural problems and the cross-field rules on the rest are reported together.
    expect(problemsOf(decl).map((p) => formatPath(p.path))).toEqual([
      'environments.evaluation.gcp.labels.team',
      'services.service-a.namespace',
      'services.service-b.secrets.secret-b.FOO_PASSWORD.from',
      'services.service-b.surprise',
    ]);
    // A broken key is set aside whole: nothing else is reported about it or against it.
    const broken = declarationWith((d) => {
      d.services['service-a'].secrets['secret-a'].FOO_PASSWORD.remoteNmae = 'x';
      d.services['service-b'].secrets['secret-b'].TOKEN = { remoteName: 'hoge-token' };
    });
    expect(problemsOf(broken).map((p) => formatPath(p.path))).toEqual([
      'services.service-a.secrets.secret-a.FOO_PASSWORD.remoteNmae',
      'services.service-b.secrets.secret-b.TOKEN.remoteName',
    ]);
    const semantic = declarationWith((d) => {
      d.services['service-b'].secrets['secret-b'].FOO_PASSWORD.from = 'nobody/x/Y';
      d.services['service-a'].secrets['secret-a'].DEBUG_KEY.environments = ['staging'];
      d.services['service-b'].secrets['secret-b'].TOKEN = { remoteName: 'hoge-token' };
    });
    expect(problemsOf(semantic).map((p) => formatPath(p.path))).toEqual([
      'services.service-a.secrets.secret-a.DEBUG_KEY.environments[0]',
      'services.service-b.secrets.secret-b.FOO_PASSWORD.from',
      'services.service-b.secrets.secret-b.TOKEN.remoteName',
    ]);
  });
});

test.each([
  ['at the top level', (d: any) => (d.password = 'hunter2-canary'), 'password', true],
  ['on an environment', (d: any) => (d.environments.evaluation.value = 'hunter2-canary'), 'environments.evaluation.value', true],
  ['on a service', (d: any) => (d.services['service-a'].token = 'hunter2-canary'), 'services.service-a.token', true],
  ['in a GCP section, under a name the product does not know', (d: any) => (d.environments.evaluation.gcp.dbPass = 'hunter2-canary'), 'environments.evaluation.gcp.dbPass', false],
  ['in the monitoring section, as a mapping', (d: any) => (d.environments.evaluation.monitoring = { creds: { user: 'u', pass: 'hunter2-canary' } }), 'environments.evaluation.monitoring.creds', false],
])('a value pasted %s is never printed: the field and its line are named', (_where, edit, path, valueRule) => {
  const decl = declarationWith(edit);
  const problems = problemsOf(decl).filter((p) => formatPath(p.path) === path);
  expect(problems).toHaveLength(1);
  expect(problems[0].value).toBe('<redacted>');
  if (valueRule) expect(problems[0].rule).toBe(VALUE_RULE);
  else expect(problems[0].rule).toMatch(/^unknown field/);
  // Nowhere in what the command prints, with the line of the field.
  const root = mkdtempSync(join(tmpdir(), 'pasted-'));
  writeFileSync(join(root, 'secrets.yaml'), stringify(decl));
  const r = synthIn(root, 'secrets.yaml');
  expect(r.code).toBe(EXIT_INVALID_DECLARATION);
  const text = [...r.stdout, ...r.stderr].join('\n');
  expect(text).not.toContain('hunter2-canary');
  expect(text).toMatch(new RegExp(`${path.replace(/[.[\]]/g, '\\$&')} \\(line \\d+\\): "<redacted>"`));
});
