// Browser module /api/console/assets/view-group.js: one group's state in every retained complete scan.
// Written without template literals (see ../assets.ts).
export const source = String.raw`
import { h, BUCKET_LABELS, KIND_LABELS, date, table, label, hashWith } from './dom.js';
import { api } from './api.js';

export async function renderGroup(root, context, groupId) {
  context.setTitle('Group history');
  const data = await api('groups/' + encodeURIComponent(groupId) + '/history');
  const named = data.history.find((entry) => entry.group);
  const name = named ? named.group.displayName || groupId : groupId;
  root.append(h('h1', null, 'History of ', name), h('p', null, 'Group id ', h('span', { class: 'mono' }, groupId)));
  if (context.canApprove) root.append(h('p', null, h('a', { href: hashWith('/approvals', { groupId }) }, 'Approve an expected change of this group')));
  root.append(table('The group in each retained complete scan, newest first', ['Scan', 'Present', 'Name', 'Kind', 'Bucket', 'Target type', 'Reason', 'Findings'],
    data.history.map((entry) => {
      const g = entry.group;
      return [
        h('a', { href: '#/scans/' + encodeURIComponent(entry.scanId) }, date(entry.scanStartedAt)),
        entry.present ? 'Yes' : 'No (absent: deleted, or not yet created)',
        g ? g.displayName || '' : '–',
        g ? label(KIND_LABELS, g.kind) : '–',
        g ? label(BUCKET_LABELS, g.bucket) : '–',
        g ? g.effectiveTargetType || 'None' : '–',
        g ? g.reason : '–',
        g ? (g.findings.length ? g.findings.join(', ') : 'None') : '–',
      ];
    }), { id: 'history-table' }));
}
`;
