// Browser module /api/console/assets/view-scans.js: the latest scan's counts, the bucket chart over the
// retained scans and the list of scans. Written without template literals (see ../assets.ts).
export const source = String.raw`
import { h, BUCKETS, BUCKET_LABELS, KINDS, KIND_LABELS, number, date, duration, engines, table, loadInto, label } from './dom.js';
import { api, url } from './api.js';
import { bucketChart } from './chart.js';

export function statusText(status) {
  const marks = { complete: '✓ complete', failed: '✗ failed', running: '… running' };
  return h('span', { class: 'status-' + status }, marks[status] || status);
}

export function bucketCards(scan) {
  return h('ul', { class: 'cards', 'aria-label': 'Groups per bucket' }, BUCKETS.map((bucket) =>
    h('li', { class: 'card ' + bucket }, h('span', { class: 'count' }, number(scan.counts.byBucket[bucket])), BUCKET_LABELS[bucket])));
}

export function kindTable(scan) {
  return table('Groups per bucket and kind', ['Bucket'].concat(KINDS.map((k) => ({ text: KIND_LABELS[k], num: true })), [{ text: 'Total', num: true }]),
    BUCKETS.map((bucket) => [BUCKET_LABELS[bucket]].concat(KINDS.map((k) => ({ num: (scan.counts.byBucketAndKind[bucket] || {})[k] || 0 })), [{ num: scan.counts.byBucket[bucket] }])),
    { rowHeaders: true, id: 'kind-table' });
}

function scanRows(scans) {
  return scans.map((scan) => [
    h('a', { href: '#/scans/' + encodeURIComponent(scan.id) }, date(scan.startedAt)),
    statusText(scan.status),
    scan.trigger + ', ' + scan.mode,
    duration(scan.durationMs),
    { num: scan.counts.total },
    { num: scan.counts.byBucket.writtenBack },
    { num: scan.counts.byBucket.legacyDefault },
    { num: scan.counts.byBucket.notWrittenBack },
    engines(scan.counts.engines) || '–',
  ]);
}

const SCAN_HEADERS = ['Started', 'Status', 'Trigger, mode', 'Duration', { text: 'Groups', num: true }, { text: BUCKET_LABELS.writtenBack, num: true }, { text: BUCKET_LABELS.legacyDefault, num: true }, { text: BUCKET_LABELS.notWrittenBack, num: true }, 'Engines'];

export async function renderScans(root, context) {
  context.setTitle('Scans');
  const latest = h('section', { 'aria-labelledby': 'latest-heading' });
  const trend = h('section', { 'aria-labelledby': 'trend-heading' }, h('h2', { id: 'trend-heading' }, 'Buckets over the retained scans'));
  const trendBody = h('div');
  trend.append(trendBody);
  const list = h('section', { 'aria-labelledby': 'list-heading' }, h('h2', { id: 'list-heading' }, 'All scans'));
  const listBody = h('div');
  list.append(listBody);
  root.append(h('h1', null, 'Scans'), latest, trend, list);

  const complete = api(url('scans', { status: 'complete', top: 100 }));
  loadInto(latest, async () => {
    const scans = (await complete).scans;
    if (!scans.length) return [h('h2', { id: 'latest-heading' }, 'Latest complete scan'), h('p', null, 'No scan has completed yet. The first scan runs on the schedule, or start one with POST /api/scans.')];
    const scan = scans[0];
    return [
      h('h2', { id: 'latest-heading' }, 'Latest complete scan: ', h('a', { href: '#/scans/' + encodeURIComponent(scan.id) }, date(scan.startedAt))),
      h('p', null, number(scan.counts.total) + ' groups, scanned in ' + duration(scan.durationMs) + '.' + (engines(scan.counts.engines) ? ' Engines assumed: ' + engines(scan.counts.engines) + '.' : '')),
      bucketCards(scan),
      kindTable(scan),
    ];
  });
  loadInto(trendBody, async () => bucketChart((await complete).scans));

  let before = null;
  const rows = [];
  async function more() {
    const page = await api(url('scans', { top: 20, before }));
    rows.push(...page.scans);
    before = page.nextBefore;
    const nodes = [table('Scans, newest first', SCAN_HEADERS, scanRows(rows), { id: 'scan-table' })];
    if (before) {
      nodes.push(h('p', null, h('button', { type: 'button', class: 'secondary', onclick: async () => {
        const shown = rows.length;
        await loadInto(listBody, more);
        // The button is gone; focus goes to the first of the scans it brought.
        const link = listBody.querySelectorAll('#scan-table tbody tr a')[shown];
        if (link) link.focus();
      } }, 'Show older scans')));
    }
    return nodes;
  }
  await loadInto(listBody, more);
}
`;
