// Browser module /api/console/assets/view-diff.js: the changes between two complete scans (previous to latest
// by default), with the approval that covers each change and, when known, who made it. Written without
// template literals (see ../assets.ts).
export const source = String.raw`
import { h, BUCKET_LABELS, CHANGE_LABELS, number, date, table, loadInto, field, select, hashWith, label, announce, who } from './dom.js';
import { api, url, BASE } from './api.js';

function state(group) {
  if (!group) return 'Not present';
  return label(BUCKET_LABELS, group.bucket) + ', ' + (group.effectiveTargetType || 'no target type');
}

/** Who made the change, from the audit log: the headline actor, else what the attribution status says. */
function changedBy(attribution) {
  if (!attribution) return 'Unknown';
  if (attribution.actor) return attribution.actor.display + ' (' + attribution.status + ')';
  return 'Unknown (' + attribution.status + ')';
}

function changeRow(change) {
  const approval = change.approval
    ? h('span', null, '✓ Approved by ' + who(change.approval.requestedBy) + ': ' + change.approval.reason)
    : change.approvalId ? '✓ Approved (' + change.approvalId + ')' : 'Not approved';
  return [
    h('a', { href: '#/groups/' + encodeURIComponent(change.groupId) }, change.displayName || change.groupId),
    change.types.map((t) => label(CHANGE_LABELS, t)).join(', '),
    state(change.before),
    state(change.after),
    approval,
    changedBy(change.attribution),
  ];
}

export async function renderDiff(root, context) {
  context.setTitle('Changes');
  const p = context.params;
  const body = h('div');
  root.append(h('h1', null, 'Changes between two scans'), body);
  const scans = (await api(url('scans', { status: 'complete', top: 100 }))).scans;
  if (scans.length < 2) {
    body.append(h('p', null, 'A diff needs two complete scans; this tenant has ' + scans.length + '. The next scan makes the first diff possible.'));
    return;
  }
  const to = p.get('to') || scans[0].id;
  const toIndex = Math.max(0, scans.findIndex((s) => s.id === to));
  const from = p.get('from') || (scans[toIndex + 1] || scans[toIndex]).id;
  const type = p.get('type') || '';
  const options = scans.map((s) => [s.id, date(s.startedAt) + ' (' + number(s.counts.total) + ' groups)']);
  const form = h('form', { class: 'filters', 'aria-label': 'Choose the scans to compare' },
    field('diff-from', 'From (earlier scan)', select('from', options, from)),
    field('diff-to', 'To (later scan)', select('to', options, to)),
    field('diff-type', 'Change type', select('type', [['', 'Any change']].concat(Object.keys(CHANGE_LABELS).map((t) => [t, CHANGE_LABELS[t]])), type)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Compare')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    context.navigate(hashWith('/diff', { from: data.get('from'), to: data.get('to'), type: data.get('type') }));
  });
  const results = h('div', { id: 'diff-results' });
  body.append(form, h('div', { class: 'actions' },
    h('a', { class: 'button secondary', href: BASE + url('diff/report.xlsx', { from, to }), download: '' }, 'Download the diff report (Excel)')), results);
  const after = p.get('after') || '';
  loadInto(results, async () => {
    const page = await api(url('diff', { from, to, type, after, top: 50 }));
    const nodes = [];
    if (page.summary) {
      const byType = Object.keys(CHANGE_LABELS).filter((t) => page.summary.byType[t]).map((t) => [CHANGE_LABELS[t], { num: page.summary.byType[t] }]);
      nodes.push(h('h2', null, 'Summary'),
        h('p', { id: 'diff-summary' }, number(page.summary.changedGroups) + ' groups changed between ' + date(page.from.startedAt) + ' (' + number(page.summary.groupsBefore) + ' groups) and ' + date(page.to.startedAt) + ' (' + number(page.summary.groupsAfter) + ' groups).'),
        byType.length ? table('Changes by type', ['Change type', { text: 'Groups', num: true }], byType, { rowHeaders: true }) : null,
        page.summary.tenantChanges.length
          ? table('Tenant settings that changed', ['Setting', 'Before', 'After'], page.summary.tenantChanges.map((c) => [c.field, JSON.stringify(c.before), JSON.stringify(c.after)]), { rowHeaders: true })
          : null);
    }
    nodes.push(h('h2', null, 'Changed groups'));
    if (!page.changes.length) nodes.push(h('p', null, after ? 'No more changes.' : type ? 'No change of this type.' : 'No group changed between these scans.'));
    else nodes.push(table('Changed groups' + (type ? ' (' + CHANGE_LABELS[type] + ')' : ''), ['Group', 'Change', 'Before', 'After', 'Approval', 'Changed by'], page.changes.map(changeRow), { id: 'change-table' }));
    announce(page.changes.length + ' changes shown.');
    const pager = [];
    if (after) pager.push(h('a', { href: hashWith('/diff', { from, to, type }) }, 'First page'));
    if (page.next) pager.push(h('a', { href: hashWith('/diff', { from, to, type, after: page.next }) }, 'Next page'));
    if (pager.length) nodes.push(h('nav', { class: 'pager', 'aria-label': 'Change pages' }, pager));
    return nodes;
  });
}
`;
