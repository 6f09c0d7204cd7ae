import { join } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

// The public API as committed in api/secret-wiring.api.md: a change to an exported name, type or
// signature shows in review as a change of that file (npm run api writes it). It reads the
// declarations `npm test` compiles first (dist/lib/index.d.ts); a type used by the API but not
// exported fails it too.
test('the public API matches the committed API report', () => {
  const config = ExtractorConfig.loadFileAndPrepare(join(__dirname, '..', 'api-extractor.json'));
  const messages: string[] = [];
  const result = Extractor.invoke(config, {
    localBuild: false,
    messageCallback: (m) => {
      if (m.logLevel === 'error' || m.logLevel === 'warning') messages.push(m.text);
      m.handled = true;
    },
  });
  expect({ apiReportChanged: result.apiReportChanged, messages }).toEqual({ apiReportChanged: false, messages: [] });
}, 60_000);
