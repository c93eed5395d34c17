/**
 * The console's page and its files. They hold no tenant data and need no role, so a browser that is not
 * signed in still gets a page that explains how to sign in; every piece of data comes from the role-checked
 * JSON routes.
 */
import type { ApiRequest, ApiResponse } from '../api/http';
import { ASSETS, INDEX_HTML, type Asset } from './assets';
import { withSecurityHeaders } from './security';

function serve(request: ApiRequest, file: Asset): ApiResponse {
  // Revalidated on every load (a deployment changes the files), answered with 304 when unchanged.
  const headers = { 'Content-Type': file.contentType, 'Cache-Control': 'no-cache', ETag: file.etag };
  if (request.headers.get('if-none-match') === file.etag) return withSecurityHeaders({ status: 304, headers });
  return withSecurityHeaders({ status: 200, headers, body: file.body });
}

export async function consolePage(_services: unknown, request: ApiRequest): Promise<ApiResponse> {
  return serve(request, INDEX_HTML);
}

export async function consoleAsset(_services: unknown, request: ApiRequest): Promise<ApiResponse> {
  const file = ASSETS.get(request.params.file ?? '');
  if (!file) {
    return withSecurityHeaders({ status: 404, jsonBody: { error: { code: 'NotFound', message: `The console has no file ${String(request.params.file).slice(0, 60)}; reload /api/console/.` } } });
  }
  return serve(request, file);
}
