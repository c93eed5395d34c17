// Browser module /api/console/assets/api.js: calls the console's JSON routes and turns failures into errors
// that say what to do. Written without template literals so it can live in a String.raw (see ../assets.ts).
export const source = String.raw`
export const BASE = '/api/console/api/';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, options) {
  const init = { method: (options && options.method) || 'GET', credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (options && 'body' in options) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  let response;
  try {
    response = await fetch(BASE + path, init);
  } catch (error) {
    throw new ApiError(0, 'NetworkError', 'The app did not answer. Check your connection and that the app is running, then try again.');
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (error) { data = null; }
  if (!response.ok) {
    const problem = data && data.error;
    const fallback = response.status === 401
      ? 'You are not signed in.'
      : 'The app answered ' + response.status + ' without an explanation. Try again in a minute; the app log has the details.';
    throw new ApiError(response.status, problem ? problem.code : 'HttpError', problem && problem.message ? problem.message : fallback);
  }
  return data;
}

export function url(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) if (value !== null && value !== undefined && value !== '') query.set(key, value);
  const text = query.toString();
  return path + (text ? '?' + text : '');
}
`;
