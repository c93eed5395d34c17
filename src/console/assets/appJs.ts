// Browser module /api/console/assets/app.js: who is signed in, the hash router, and the page frame. Every view
// renders into <main>; a view that fails shows its error there and the navigation keeps working. Written
// without template literals so it can live in a String.raw (see ../assets.ts).
export const source = String.raw`
import { h, clear, errorMessage } from './dom.js';
import { api } from './api.js';
import { renderScans } from './view-scans.js';
import { renderScan } from './view-scan.js';
import { renderDiff } from './view-diff.js';
import { renderGroup } from './view-group.js';
import { renderAlerts } from './view-alerts.js';
import { renderApprovals } from './view-approvals.js';

const SIGN_IN = '/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fconsole%2F';
const ROUTES = [
  { pattern: /^\/scans\/([^/]+)$/, nav: 'scans', render: renderScan },
  { pattern: /^\/scans$/, nav: 'scans', render: renderScans },
  { pattern: /^\/diff$/, nav: 'diff', render: renderDiff },
  { pattern: /^\/groups\/([^/]+)$/, nav: 'scans', render: renderGroup },
  { pattern: /^\/alerts$/, nav: 'alerts', render: renderAlerts },
  { pattern: /^\/approvals$/, nav: 'approvals', render: renderApprovals },
];

let me = null;
let lastPath = null;

function parseHash() {
  let raw = location.hash.replace(/^#/, '') || '/scans';
  // Only #/... is a page; any other fragment (an in-page anchor) keeps the page that is shown.
  if (raw.charAt(0) !== '/') raw = lastPath || '/scans';
  const at = raw.indexOf('?');
  return { path: at < 0 ? raw : raw.slice(0, at), params: new URLSearchParams(at < 0 ? '' : raw.slice(at + 1)) };
}

function setNav(current) {
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.getAttribute('data-nav') === current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function render() {
  const { path, params } = parseHash();
  const view = document.getElementById('view');
  const samePage = path === lastPath;
  // On the first page the browser's own focus order starts at the skip link; later pages focus their heading.
  const firstPage = lastPath === null;
  lastPath = path;
  let route = null;
  let match = null;
  for (const candidate of ROUTES) {
    match = candidate.pattern.exec(path);
    if (match) { route = candidate; break; }
  }
  clear(view);
  if (!route) {
    setNav(null);
    document.title = 'Not found – Writeback Watch';
    view.append(h('h1', { tabindex: '-1' }, 'There is no such page'), h('p', null, h('a', { href: '#/scans' }, 'Go to the scans')));
    view.querySelector('h1').focus();
    return;
  }
  setNav(route.nav);
  const context = {
    me,
    params,
    canApprove: Boolean(me && me.principal.canApprove),
    setTitle(text) { document.title = text + ' – Writeback Watch'; },
    navigate(hash) { if (location.hash === hash) render(); else location.hash = hash; },
    refresh() { render(); },
  };
  try {
    await route.render(view, context, ...match.slice(1).map(decodeURIComponent));
  } catch (error) {
    view.append(errorMessage(error, () => render()));
  }
  // A new page moves focus to its heading; a filter or page change within one leaves it where the user was.
  if (!samePage && !firstPage) {
    const heading = view.querySelector('h1');
    if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus(); }
  }
}

async function start() {
  const view = document.getElementById('view');
  const who = document.getElementById('who');
  try {
    me = await api('me');
  } catch (error) {
    clear(view);
    if (error.status === 401) {
      view.append(h('h1', { tabindex: '-1' }, 'Sign in to Writeback Watch'),
        h('p', null, 'The console shows your tenant\'s group writeback scans to people with the Reader or Approver role of this app.'),
        h('p', null, h('a', { class: 'button', href: SIGN_IN }, 'Sign in with Microsoft Entra')));
    } else {
      view.append(h('h1', { tabindex: '-1' }, 'The console could not start'), errorMessage(error, () => location.reload()));
    }
    return;
  }
  const principal = me.principal;
  clear(who);
  who.append('Signed in as ', h('strong', null, principal.name || principal.userPrincipalName || principal.objectId),
    ' (' + principal.roles.join(', ') + ') · ', h('a', { href: '/.auth/logout?post_logout_redirect_uri=%2Fapi%2Fconsole%2F' }, 'Sign out'));
  window.addEventListener('hashchange', render);
  render();
}

// The skip link moves focus to the content without touching the address (the hash is the router's).
document.querySelector('.skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  document.getElementById('main').focus();
});

start();
`;
