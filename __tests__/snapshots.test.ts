import { EXAMPLE, synthFile } from './support/synth';

// Whole-environment snapshots of the example: any change to what deploys shows up in review.
const out = synthFile(EXAMPLE);

describe.each(['evaluation', 'production'])('environment %s', (env) => {
  test('synthesized stacks', () => {
    expect(out.code).toBe(0);
    for (const name of [`${env}-gcp`, `${env}-gcp-manifests`]) {
      expect(out.stacks[name]).toMatchSnapshot(name);
    }
  });

  test('generated GitOps YAML', () => {
    const files = Object.fromEntries(Object.entries(out.generated).filter(([p]) => p.startsWith(`${env}/`)));
    expect(Object.keys(files).length).toBeGreaterThan(1);
    expect(files).toMatchSnapshot();
  });
});
