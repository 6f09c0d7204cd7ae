import { exampleOutput } from './support/synth';

// Whole-environment snapshots of the example: any change to what deploys shows up in review.
const out = exampleOutput();

describe.each(['evaluation', 'production'])('environment %s', (env) => {
  test('synthesized stacks', () => {
    expect(out.code).toBe(0);
    const names = Object.keys(out.stacks).filter((n) => n.startsWith(`${env}-`));
    // The example's production AKS runs the CSI add-on, which has no monitoring.
    const monitoring = env === 'evaluation' ? [`${env}-azure-monitoring`, `${env}-gcp-monitoring`] : [`${env}-gcp-monitoring`];
    expect(names).toEqual([`${env}-azure`, `${env}-azure-manifests`, `${env}-gcp`, `${env}-gcp-manifests`, ...monitoring].sort());
    for (const name of names) expect(out.stacks[name]).toMatchSnapshot(name);
  });

  test('generated GitOps YAML', () => {
    const files = Object.fromEntries(Object.entries(out.generated).filter(([p]) => p.startsWith(`${env}/`)));
    expect(Object.keys(files)).toEqual(expect.arrayContaining([`${env}/kustomization.yaml`, `${env}/azure/kustomization.yaml`]));
    expect(files).toMatchSnapshot();
  });
});
