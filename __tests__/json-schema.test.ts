import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { schemaText, validatorText } from '../lib/declaration/published';
import { declarationWith } from './support/fixtures';

const published = join(__dirname, '..', 'schema', 'secrets.schema.json');

describe('the published JSON Schema', () => {
  test('is the one generated from the validation source (run npm run schema when this fails)', () => {
    expect(readFileSync(published, 'utf8')).toBe(schemaText());
  });

  test('the validator the program runs is the one generated from the same source (run npm run schema when this fails)', () => {
    expect(readFileSync(join(__dirname, '..', 'lib', 'declaration', 'generated', 'structure-validator.ts'), 'utf8')).toBe(validatorText());
  });

  // An editor sees only the file: it alone must accept the example and refuse bad input.
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(published, 'utf8')));

  test('accepts the repository example', () => {
    expect(validate(parse(readFileSync(join(__dirname, '..', 'secrets.yaml'), 'utf8')))).toBe(true);
  });

  test('refuses an unknown field and a bad name, as the program does', () => {
    expect(validate(declarationWith((d) => (d.services['service-a'].secrets['secret-a'].FOO_PASSWORD.remotename = 'x')))).toBe(false);
    expect(validate(declarationWith((d) => (d.services['service-a'].namespace = 'Not_DNS')))).toBe(false);
  });

  test('the example points editors at it', () => {
    expect(readFileSync(join(__dirname, '..', 'secrets.yaml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/secrets.schema.json');
  });
});
