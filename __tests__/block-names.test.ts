/// <reference path="./setup.ts" />
import fc from 'fast-check';
import { blockName } from '../lib/terraform/block-names';

describe('blockName', () => {
  test('keys made of identifier parts read as themselves, parts joined with __', () => {
    expect(blockName('secrets', 'service-a_FOO_PASSWORD')).toBe('secrets_service-a_FOO_PASSWORD');
    expect(blockName('secret_accessors', 'service-b/service-a_FOO_PASSWORD')).toBe('secret_accessors_service-b__service-a_FOO_PASSWORD');
    expect(blockName('admin', 'ExternalSecret/service-a/secret-a')).toBe('admin_ExternalSecret__service-a__secret-a');
    expect(blockName('secret_readers', 'demo/billing--FOO-PASSWORD')).toBe('secret_readers_demo__billing--FOO-PASSWORD');
  });

  test('other keys get a readable slug and a hash, marked by ___', () => {
    const name = blockName('admin', 'Secret/ns/tls.example.com');
    expect(name).toMatch(/^admin_Secret_ns_tls_example_com___[0-9a-f]{10}$/);
    expect(blockName('k', 'a__b')).toMatch(/^k_a_b___[0-9a-f]{10}$/);
    expect(blockName('k', '${azurerm_user_assigned_identity.identities_x.principal_id}/db')).toMatch(/^k_azurerm_user_assigned_identity_identities_x_principal_id_db___[0-9a-f]{10}$/);
  });

  test('every name is a Terraform identifier, and different keys of one collection never share a name', () => {
    const seen = new Map<string, string>();
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'B', '0', '-', '_', '/', '.', ':', ' ', '$', '{'), maxLength: 12 }), (key) => {
        const name = blockName('p', key);
        expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
        const other = seen.get(name);
        if (other !== undefined) expect(other).toBe(key);
        seen.set(name, key);
      }),
      { numRuns: 3000 },
    );
  });

  test('a prefix that is not an identifier, or could run into a key, is refused', () => {
    expect(() => blockName('1x', 'k')).toThrow(/prefix/);
    expect(() => blockName('x_', 'k')).toThrow(/prefix/);
    expect(() => blockName('a___b', 'k')).toThrow(/prefix/);
  });
});
