// Browser module /api/console/assets/view-scan.js: one scan, its findings by rule, both Excel downloads and
// its groups, filtered and paged on the server. Written without template literals (see ../assets.ts).
export const source = String.raw`
import { h, BUCKETS, BUCKET_LABELS, KINDS, KIND_LABELS, number, date, duration, engines, table, loadInto, field, select, hashWith, label, announce } from './dom.js';
import { api, url, BASE } from './api.js';
import { statusText, bucketCards, kindTable } from './view-scans.js';

function facts(scan) {
  const items = [
    ['Status', statusText(scan.status)],
    ['Started', date(scan.startedAt)],
    ['Finished', date(scan.finishedAt)],
    ['Duration', duration(scan.durationMs)],
    ['Trigger and mode', scan.trigger + ', ' + scan.mode + (scan.baseScanId ? ' (from ' + scan.baseScanId + ')' : '')],
    ['Graph pages and retries', number(scan.pages) + ' pages, ' + number(scan.retries) + ' retries'],
  ];
  if (engines(scan.counts.engines)) items.push(['Engines assumed', engines(scan.counts.engines)]);
  if (scan.error) items.push(['Error', scan.error]);
  return h('dl', { class: 'facts' }, items.map(([term, value]) => [h('dt', null, term), h('dd', null, value)]));
}

function groupRow(group) {
  return [
    h('a', { href: '#/groups/' + encodeURIComponent(group.id) }, group.displayName || '(no name)'),
    label(KIND_LABELS, group.kind),
    label(BUCKET_LABELS, group.bucket) + (group.portalShowsNoWriteback ? ' (portal shows "No writeback")' : ''),
    group.effectiveTargetType || 'None',
    group.reason,
    group.findings.length ? group.findings.join(', ') : 'None',
    engines(group.engines) || '–',
  ];
}

export async function renderScan(root, context, scanId) {
  context.setTitle('Scan ' + scanId);
  const header = h('div');
  const groups = h('section', { 'aria-labelledby': 'groups-heading' });
  root.append(h('h1', null, 'Scan ', h('span', { class: 'mono' }, scanId)), header, groups);
  let scan = null;
  await loadInto(header, async () => {
    scan = await api('scans/' + encodeURIComponent(scanId));
    const nodes = [facts(scan)];
    if (scan.status !== 'complete') {
      nodes.push(h('p', { class: 'message info' }, 'This scan is ' + scan.status + ': its groups, reports and diff are available once a scan completes.'));
      return nodes;
    }
    const downloads = [h('a', { class: 'button', href: BASE + 'scans/' + encodeURIComponent(scan.id) + '/report.xlsx', download: '' }, 'Download the scan report (Excel)')];
    if (scan.previousCompleteScanId) {
      downloads.push(
        h('a', { class: 'button secondary', href: BASE + url('diff/report.xlsx', { from: scan.previousCompleteScanId, to: scan.id }), download: '' }, 'Download the diff report against the previous scan (Excel)'),
        h('a', { href: hashWith('/diff', { from: scan.previousCompleteScanId, to: scan.id }) }, 'See the changes since the previous scan'));
    }
    nodes.push(h('h2', null, 'Downloads'), h('div', { class: 'actions' }, downloads));
    nodes.push(h('h2', null, 'Counts'), bucketCards(scan), kindTable(scan));
    const findingRows = scan.findings.filter((f) => f.count > 0).map((f) => [
      h('span', { class: 'mono' }, f.id), f.title, h('span', { class: 'severity-' + f.severity }, f.severity), { num: f.count },
      h('a', { href: hashWith('/scans/' + scan.id, { finding: f.name }) }, 'Show these groups', h('span', { class: 'visually-hidden' }, ': ' + f.title)),
    ]);
    nodes.push(h('h2', null, 'Findings by rule'), findingRows.length
      ? table('Findings in this scan', ['Code', 'Finding', 'Severity', { text: 'Groups', num: true }, 'List'], findingRows, { id: 'findings-table' })
      : h('p', null, 'No findings in this scan.'));
    return nodes;
  });
  if (!scan || scan.status !== 'complete') return;
  renderGroups(groups, context, scan);
}

function renderGroups(section, context, scan) {
  const p = context.params;
  const filters = { bucket: p.get('bucket') || '', kind: p.get('kind') || '', finding: p.get('finding') || '', engine: p.get('engine') || '', verdict: p.get('verdict') || '', search: p.get('search') || '' };
  // Scans that classify per engine record which engines they assumed; only those can be filtered by verdict.
  const scanEngines = Array.isArray(scan.counts.engines) ? scan.counts.engines : [];
  const search = h('input', { type: 'search', name: 'search', value: filters.search, maxlength: '200', autocomplete: 'off' });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter groups' },
    field('filter-bucket', 'Bucket', select('bucket', [['', 'Any bucket']].concat(BUCKETS.map((b) => [b, BUCKET_LABELS[b]])), filters.bucket)),
    field('filter-kind', 'Kind', select('kind', [['', 'Any kind']].concat(KINDS.map((k) => [k, KIND_LABELS[k]])), filters.kind)),
    field('filter-finding', 'Finding', select('finding', [['', 'Any or none']].concat(scan.findings.map((f) => [f.name, f.id + ' ' + f.title])), filters.finding)),
    scanEngines.length ? field('filter-engine', 'Engine', select('engine', [['', 'Any engine']].concat(scanEngines.map((e) => [e, e])), filters.engine)) : null,
    scanEngines.length ? field('filter-verdict', 'Engine verdict', select('verdict', [['', 'Any verdict'], ['writtenBack', BUCKET_LABELS.writtenBack], ['legacyDefault', BUCKET_LABELS.legacyDefault], ['notWrittenBack', BUCKET_LABELS.notWrittenBack], ['unknown', 'Unknown'], ['indeterminate', 'Indeterminate']], filters.verdict), 'Needs an engine.') : null,
    field('filter-search', 'Name, mail or id contains', search),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filter'), h('a', { href: '#/scans/' + encodeURIComponent(scan.id) }, 'Clear filters')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    context.navigate(hashWith('/scans/' + scan.id, { bucket: data.get('bucket'), kind: data.get('kind'), finding: data.get('finding'), engine: data.get('engine'), verdict: data.get('engine') ? data.get('verdict') : '', search: String(data.get('search') || '').trim() }));
  });
  const results = h('div', { id: 'group-results' });
  section.append(h('h2', { id: 'groups-heading' }, 'Groups'), form, results);
  const after = p.get('after') || '';
  loadInto(results, async () => {
    const page = await api(url('scans/' + encodeURIComponent(scan.id) + '/groups', Object.assign({}, filters, { after, top: 50 })));
    const shown = page.groups.length;
    const of = page.total === null ? '' : ' of ' + number(page.total);
    const summary = shown
      ? 'Showing ' + number(shown) + (after ? ' more' : '') + ' group' + (shown === 1 ? '' : 's') + of + '.'
      : (page.partial ? 'No match in the ' + number(page.examined) + ' groups searched so far.' : 'No group matches these filters.');
    announce(summary);
    const nodes = [h('p', { id: 'group-summary' }, summary)];
    if (shown) nodes.push(table('Groups of scan ' + scan.id, ['Name', 'Kind', 'Bucket', 'Target type', 'Reason', 'Findings', 'Engines'], page.groups.map(groupRow), { id: 'group-table' }));
    const pager = [];
    if (after) pager.push(h('a', { href: hashWith('/scans/' + scan.id, filters) }, 'First page'));
    if (page.next) {
      pager.push(h('a', { href: hashWith('/scans/' + scan.id, Object.assign({}, filters, { after: page.next })) },
        page.partial ? 'Search the next groups (' + number(page.examined) + ' searched on this page)' : 'Next page'));
    }
    if (pager.length) nodes.push(h('nav', { class: 'pager', 'aria-label': 'Group pages' }, pager));
    return nodes;
  });
}
`;
