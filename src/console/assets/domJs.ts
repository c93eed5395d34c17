// Browser module /api/console/assets/dom.js: element builders and formatting shared by the views.
// Written without template literals so it can live in a String.raw (see ../assets.ts).
export const source = String.raw`
const SVG_NS = 'http://www.w3.org/2000/svg';

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function build(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.setAttribute('class', value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/** h('a', { href: '#/x' }, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function clear(element) {
  while (element.firstChild) element.firstChild.remove();
}

export const BUCKETS = ['writtenBack', 'legacyDefault', 'notWrittenBack'];
export const BUCKET_LABELS = { writtenBack: 'Written back', legacyDefault: 'Legacy default (written back)', notWrittenBack: 'Not written back' };
export const KINDS = ['microsoft365', 'security', 'mailEnabledSecurity', 'distribution', 'unknown'];
export const KIND_LABELS = { microsoft365: 'Microsoft 365', security: 'Security', mailEnabledSecurity: 'Mail-enabled security', distribution: 'Distribution', unknown: 'Unknown kind' };
export const CHANGE_LABELS = {
  added: 'Added', removed: 'Removed', bucketChanged: 'Bucket changed', targetChanged: 'Target type changed', configChanged: 'Configuration changed',
  kindChanged: 'Kind changed', sourceOfAuthorityChanged: 'Source of authority changed', renamed: 'Renamed', findingsChanged: 'Findings changed',
};
export const TARGET_TYPES = ['universalDistributionGroup', 'universalSecurityGroup', 'universalMailEnabledSecurityGroup'];

export function label(map, key) {
  return (map && map[key]) || (key === null || key === undefined ? 'None' : String(key));
}

export function number(value) {
  return typeof value === 'number' ? value.toLocaleString('en-US') : '–';
}

/** 2026-12-01 20:15:07 UTC: the same for every reader, whatever the browser's zone. */
export function date(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
}

export function duration(ms) {
  if (typeof ms !== 'number') return '–';
  if (ms < 1000) return ms + ' ms';
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return seconds + ' s';
  const minutes = Math.floor(seconds / 60);
  return minutes + ' min ' + (seconds % 60) + ' s';
}

/** Engines a scan or group records, when the scan recorded them (older scans do not). */
export function engines(value) {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((e) => (typeof e === 'string' ? e : e && (e.engine || e.name) ? (e.engine || e.name) + (e.verdict ? ': ' + e.verdict : '') : JSON.stringify(e))).join(', ');
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => k + ': ' + (v && typeof v === 'object' ? (v.verdict || v.bucket || JSON.stringify(v)) : String(v))).join(', ');
  return String(value);
}

/** Who did something, as a record holds it: a line of text, or a recorded principal (a person or an app). */
export function who(actor) {
  if (!actor) return 'nobody recorded';
  if (typeof actor === 'string') return actor;
  if (actor.kind === 'legacy') return actor.name + ' (recorded by name, unverified)';
  if (actor.kind === 'app') return 'app ' + (actor.name || actor.appId || actor.objectId);
  if (actor.name && actor.userPrincipalName) return actor.name + ' (' + actor.userPrincipalName + ')';
  return actor.name || actor.userPrincipalName || actor.objectId || JSON.stringify(actor);
}

/** Says a message to screen readers without moving focus. */
export function announce(message) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  setTimeout(() => { region.textContent = message; }, 30);
}

/** A table with a caption and header cells; each row is an array of cells (text, nodes or { num: n }). */
export function table(caption, headers, rows, options) {
  const head = h('thead', null, h('tr', null, headers.map((header) => h('th', { scope: 'col', class: header.num ? 'num' : null }, header.num ? header.text : header))));
  const body = h('tbody', null, rows.map((row) => h('tr', null, row.map((cell, i) =>
    i === 0 && options && options.rowHeaders
      ? h('th', { scope: 'row' }, cell)
      : cell !== null && typeof cell === 'object' && 'num' in cell ? h('td', { class: 'num' }, number(cell.num)) : h('td', null, cell)))));
  return h('table', options && options.id ? { id: options.id } : null, h('caption', null, caption), head, body);
}

/** An error shown in place of what failed: what happened and what to do; the rest of the page keeps working. */
export function errorMessage(error, retry) {
  const status = error && error.status;
  let hint = null;
  if (status === 401) hint = h('p', null, 'Your session has ended. ', h('a', { href: '/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fconsole%2F' }, 'Sign in again'), '.');
  else if (status === 403) hint = h('p', null, 'Ask an administrator of this app to assign you the role named above.');
  else if (status === 0 || status >= 500) hint = h('p', null, 'This is usually temporary. Try again in a minute.');
  const box = h('div', { class: 'message error', role: 'alert' },
    h('p', null, h('strong', null, 'Could not load this. '), (error && error.message) || String(error)),
    hint,
    retry ? h('p', null, h('button', { type: 'button', class: 'secondary', onclick: retry }, 'Try again')) : null);
  return box;
}

export function message(kind, text) {
  return h('div', { class: 'message ' + kind, role: kind === 'error' ? 'alert' : 'status' }, h('p', null, text));
}

/** Runs load() and shows "Loading…" in the container meanwhile, or the error with a retry button. */
export async function loadInto(container, load) {
  clear(container);
  container.setAttribute('aria-busy', 'true');
  container.append(h('p', { class: 'hint' }, 'Loading…'));
  try {
    const nodes = await load();
    clear(container);
    append(container, [nodes]);
  } catch (error) {
    clear(container);
    container.append(errorMessage(error, () => loadInto(container, load)));
  } finally {
    container.removeAttribute('aria-busy');
  }
}

export function field(id, labelText, control, hint) {
  control.id = id;
  if (hint) control.setAttribute('aria-describedby', id + '-hint');
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hint ? h('p', { class: 'hint', id: id + '-hint' }, hint) : null);
}

export function select(name, options, value) {
  return h('select', { name }, options.map(([optionValue, text]) => h('option', { value: optionValue, selected: optionValue === (value || '') }, text)));
}

export function hashWith(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') query.set(key, value);
  const text = query.toString();
  return '#' + path + (text ? '?' + text : '');
}
`;
