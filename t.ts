import { loadDeclarationFile } from './lib/declaration';
console.log(JSON.stringify(loadDeclarationFile('/work/main/secrets.yaml'), null, 1).slice(0, 1500));
