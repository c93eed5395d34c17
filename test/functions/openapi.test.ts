/** docs/openapi.yaml describes exactly the routes functions/routes.ts registers, with the same methods. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { HTTP_ROUTES } from '../../functions/routes';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function documentedOperations(): string[] {
  const document = parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.yaml'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method] !== undefined).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

function registeredOperations(): string[] {
  return HTTP_ROUTES.flatMap((route) => route.methods.map((method) => `${method} /${route.route}`));
}

describe('docs/openapi.yaml', () => {
  it('lists every registered route and method, and nothing else', () => {
    expect(documentedOperations().sort()).toEqual(registeredOperations().sort());
  });

  it('names each route once in the table', () => {
    const names = HTTP_ROUTES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    const operations = registeredOperations();
    expect(new Set(operations).size).toBe(operations.length);
  });
});
